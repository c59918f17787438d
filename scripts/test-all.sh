#!/usr/bin/env bash
# `npm test`: the whole suite on a fresh machine. Installs what it needs (npm packages, PostgreSQL,
# the pinned MLflow clients in cached virtualenvs), then runs the type check, the vitest suite on
# SQLite and PostgreSQL, the compatibility suite with the real MLflow clients, and a smoke run of
# the benchmark against `mlflow server` (it checks that every measurement runs; timings are only
# reported, never compared to a threshold).
set -euo pipefail
repo="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$repo"
bash scripts/ensure-node-deps.sh

if [ -z "${FLOWREG_TEST_PG_URL:-}" ] && [ "${FLOWREG_SKIP_POSTGRES:-}" != "1" ]; then
  FLOWREG_TEST_PG_URL="$(bash scripts/postgres.sh)"
  export FLOWREG_TEST_PG_URL
fi

if [ -z "${FLOWREG_TEST_S3_ENDPOINT:-}" ] && [ "${FLOWREG_SKIP_S3:-}" != "1" ]; then
  FLOWREG_TEST_S3_ENDPOINT="$(bash scripts/moto.sh)"
  export FLOWREG_TEST_S3_ENDPOINT
  export AWS_ACCESS_KEY_ID="${AWS_ACCESS_KEY_ID:-test}" AWS_SECRET_ACCESS_KEY="${AWS_SECRET_ACCESS_KEY:-test}"
  export AWS_DEFAULT_REGION="${AWS_DEFAULT_REGION:-us-east-1}"
fi

if [ -z "${FLOWREG_TEST_CHROMIUM:-}" ]; then
  FLOWREG_TEST_CHROMIUM="$(bash scripts/chromium.sh)"
  export FLOWREG_TEST_CHROMIUM
fi

echo "== type check"
npx --no-install tsc -p tsconfig.json --noEmit

echo "== unit and integration tests (vitest)"
npx --no-install vitest run

echo "== compatibility tests (real MLflow clients)"
bash scripts/compat-tests.sh

if [ "${FLOWREG_SKIP_BENCH:-}" != "1" ]; then
  echo "== benchmark smoke run (npm run bench -- --quick)"
  node scripts/bench/run.mjs --quick
fi
