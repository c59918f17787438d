#!/usr/bin/env bash
# Installs the npm dependencies when they are missing or stale, and builds dist/ when the sources
# are newer than it. Sourced by the start and test scripts, so a fresh clone needs no other step.
set -euo pipefail
repo="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$repo"
if [ ! -d node_modules ] || [ package-lock.json -nt node_modules/.package-lock.json ]; then
  # `npm install` with the committed lock file, not `npm ci`: the registry this project installs
  # from lacks some of rollup's optional per-platform packages (none of them for linux-x64), so the
  # lock cannot list them and `npm ci` refuses the lock as out of sync. `npm install` installs the
  # locked versions and skips optional packages it cannot get.
  echo "[flowreg] installing npm dependencies…" >&2
  npm install --no-fund --no-audit >&2
fi
# dist/ui/index.html is the web UI's build (ui/build.mjs), written last by `npm run build`.
if [ ! -f dist/cli/main.js ] || [ ! -f dist/ui/index.html ] || [ -n "$(find src ui package.json tsconfig.json tsconfig.build.json -newer dist/ui/index.html -print -quit)" ]; then
  echo "[flowreg] building (tsc)…" >&2
  npm run --silent build >&2
fi
