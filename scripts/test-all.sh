#!/usr/bin/env bash
# `npm test`: the whole suite on a fresh machine. Installs what it needs (npm packages, PostgreSQL,
# the pinned MLflow clients in cached virtualenvs), then runs the type check, the vitest suite on
# SQLite and PostgreSQL, and the compatibility suite with the real MLflow clients.
set -euo pipefail
repo="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$repo"
bash scripts/ensure-node-deps.sh

if [ -z "${FLOWREG_TEST_PG_URL:-}" ] && [ "${FLOWREG_SKIP_POSTGRES:-}" != "1" ]; then
  FLOWREG_TEST_PG_URL="$(bash scripts/postgres.sh)"
  export FLOWREG_TEST_PG_URL
fi

echo "== type check"
npx --no-install tsc -p tsconfig.json --noEmit

echo "== unit and integration tests (vitest)"
npx --no-install vitest run

echo "== compatibility tests (real MLflow clients)"
bash scripts/compat-tests.sh
