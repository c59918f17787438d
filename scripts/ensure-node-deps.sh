#!/usr/bin/env bash
# Installs the npm dependencies when they are missing or stale, and builds dist/ when the sources
# are newer than it. Sourced by the start and test scripts, so a fresh clone needs no other step.
set -euo pipefail
repo="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$repo"
if [ ! -d node_modules ] || [ package-lock.json -nt node_modules/.package-lock.json ]; then
  echo "[flowreg] installing npm dependencies (npm ci)…" >&2
  npm ci --no-fund --no-audit >&2
fi
if [ ! -f dist/cli/main.js ] || [ -n "$(find src package.json tsconfig.json tsconfig.build.json -newer dist/cli/main.js -print -quit)" ]; then
  echo "[flowreg] building (tsc)…" >&2
  npm run --silent build >&2
fi
