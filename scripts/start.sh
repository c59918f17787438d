#!/usr/bin/env bash
# `npm start`: install and build when needed, then run the server on the embedded default
# (sqlite:///mlflow.db and ./mlartifacts in the current directory). Extra arguments go to
# `flowreg server`, e.g. `npm start -- --port 5001`.
set -euo pipefail
here="$(pwd)"
repo="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
bash "$repo/scripts/ensure-node-deps.sh"
cd "$here"
exec node "$repo/bin/flowreg.js" server "$@"
