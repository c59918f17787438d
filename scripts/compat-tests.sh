#!/usr/bin/env bash
# Runs the Python compatibility suite (compat-tests/) with the real `mlflow` client from PyPI,
# once per pinned client version, against a flowreg server spawned by the tests.
#
# Usage: scripts/compat-tests.sh [--version X.Y.Z]... [pytest args...]
#   scripts/compat-tests.sh                      all pinned client versions
#   scripts/compat-tests.sh -k alias             extra args go to pytest
#   scripts/compat-tests.sh --version 3.17.2 -x  only one client version
#
# Environment:
#   FLOWREG_COMPAT_VERSIONS  space/comma separated client versions (default: all pinned ones)
#   FLOWREG_CACHE            cache directory (default: ~/.cache/flowreg): venvs and pip cache
#   FLOWREG_BIN              server entry point (default: <repo>/bin/flowreg.js, run with node)
#   FLOWREG_COMPAT_TARGET    flowreg (default) | mlflow: run against the reference `mlflow server`
#                            of the same virtualenv, to check the tests themselves
#   FLOWREG_COMPAT_BACKENDS  flowreg stores to run against: sqlite and/or postgres-s3 (default:
#                            both when FLOWREG_TEST_PG_URL and FLOWREG_TEST_S3_ENDPOINT are set,
#                            as `npm test` sets them; otherwise sqlite)
#   PYTHON                   interpreter used to create the venvs (default: python3)
set -euo pipefail

REPO_ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
PINNED_VERSIONS=(3.17.2 2.22.5)

CACHE_DIR="${FLOWREG_CACHE:-$HOME/.cache/flowreg}"
PYTHON="${PYTHON:-python3}"
export PIP_CACHE_DIR="${PIP_CACHE_DIR:-$CACHE_DIR/pip}"
export PIP_DISABLE_PIP_VERSION_CHECK=1

# Extra requirements per client major version. Flask-WTF<2 is MLflow's `auth` extra (what
# `pip install mlflow[auth]` adds): `mlflow.server.get_app_client("basic-auth")` imports the auth
# package, which needs it. MLflow 2.22's own server (used with FLOWREG_COMPAT_TARGET=mlflow) fails
# to import with SQLAlchemy 2.1; the client does not care.
extra_requirements() {
  case "$1" in
    2.*) echo "Flask-WTF<2 sqlalchemy<2.1" ;;
    *) echo "Flask-WTF<2" ;;
  esac
}

# --- arguments -----------------------------------------------------------------------------
versions_arg=()
pytest_args=()
while (($#)); do
  case "$1" in
    --version)
      [[ $# -ge 2 ]] || { echo "compat-tests: --version needs a value" >&2; exit 2; }
      versions_arg+=("$2")
      shift 2
      ;;
    --version=*)
      versions_arg+=("${1#--version=}")
      shift
      ;;
    *)
      pytest_args+=("$1")
      shift
      ;;
  esac
done

if ((${#versions_arg[@]})); then
  VERSIONS=("${versions_arg[@]}")
elif [[ -n "${FLOWREG_COMPAT_VERSIONS:-}" ]]; then
  read -r -a VERSIONS <<<"${FLOWREG_COMPAT_VERSIONS//,/ }"
else
  VERSIONS=("${PINNED_VERSIONS[@]}")
fi
((${#VERSIONS[@]})) || { echo "compat-tests: no client versions selected" >&2; exit 2; }

TARGET="${FLOWREG_COMPAT_TARGET:-flowreg}"
export FLOWREG_COMPAT_TARGET="$TARGET"
export FLOWREG_BIN="${FLOWREG_BIN:-$REPO_ROOT/bin/flowreg.js}"

# --- build -----------------------------------------------------------------------------------
if [[ "$TARGET" == "flowreg" && "$FLOWREG_BIN" == "$REPO_ROOT/bin/flowreg.js" \
      && ! -f "$REPO_ROOT/dist/cli/main.js" ]]; then
  echo "compat-tests: dist/cli/main.js missing, running npm run build" >&2
  (cd "$REPO_ROOT" && npm run build)
fi

# --- virtualenvs -----------------------------------------------------------------------------
# Exit 0 when the venv's python has mlflow==$1, pytest, requests and the extra requirements.
venv_ok() {
  local py="$1" version="$2"
  shift 2
  [[ -x "$py" ]] || return 1
  "$py" - "$version" "$@" >/dev/null 2>&1 <<'PY'
import importlib.metadata as md
import sys

import mlflow, pytest, requests  # noqa: F401
from packaging.requirements import Requirement

assert mlflow.__version__ == sys.argv[1], mlflow.__version__
for spec in sys.argv[2:]:
    req = Requirement(spec)
    assert req.specifier.contains(md.version(req.name), prereleases=True), spec
PY
}

ensure_venv() {
  local version="$1" venv="$CACHE_DIR/venv-mlflow-$1"
  local py="$venv/bin/python"
  local extras
  read -r -a extras <<<"$(extra_requirements "$version")"
  if venv_ok "$py" "$version" "${extras[@]}"; then
    return 0
  fi
  if [[ ! -x "$py" ]] || ! "$py" -m pip --version >/dev/null 2>&1; then
    echo "compat-tests: creating $venv" >&2
    rm -rf "$venv"
    mkdir -p "$CACHE_DIR"
    "$PYTHON" -m venv "$venv"
  fi
  echo "compat-tests: installing mlflow==$version into $venv" >&2
  "$py" -m pip install --quiet "mlflow==$version" pytest requests "${extras[@]}"
  if ! venv_ok "$py" "$version" "${extras[@]}"; then
    echo "compat-tests: $venv still does not provide mlflow==$version" >&2
    return 1
  fi
}

# --- run -------------------------------------------------------------------------------------
export MLFLOW_DISABLE_TELEMETRY=true
export DO_NOT_TRACK=true
export MLFLOW_HTTP_REQUEST_MAX_RETRIES=0
unset MLFLOW_TRACKING_URI MLFLOW_REGISTRY_URI || true

if [[ -n "${FLOWREG_COMPAT_BACKENDS:-}" ]]; then
  read -r -a BACKENDS <<<"${FLOWREG_COMPAT_BACKENDS//,/ }"
elif [[ "$TARGET" == flowreg && -n "${FLOWREG_TEST_PG_URL:-}" && -n "${FLOWREG_TEST_S3_ENDPOINT:-}" ]]; then
  BACKENDS=(sqlite postgres-s3)
else
  BACKENDS=(sqlite)
fi

summary=()
failed=0
for backend in "${BACKENDS[@]}"; do
export FLOWREG_COMPAT_BACKEND="$backend"
for version in "${VERSIONS[@]}"; do
  echo "=== mlflow client $version against $TARGET ($backend) ===" >&2
  if ! ensure_venv "$version"; then
    summary+=("mlflow $version on $backend: SETUP FAILED (virtualenv)")
    failed=1
    continue
  fi
  py="$CACHE_DIR/venv-mlflow-$version/bin/python"
  log="$(mktemp "${TMPDIR:-/tmp}/flowreg-compat-$version.XXXXXX")"
  start=$SECONDS
  set +e
  (cd "$REPO_ROOT" && "$py" -m pytest compat-tests -q "${pytest_args[@]}") 2>&1 | tee "$log"
  status=${PIPESTATUS[0]}
  set -e
  elapsed=$((SECONDS - start))
  # pytest's last line looks like "== 80 passed, 2 skipped in 12.3s ==" (or without the == in -q).
  result="$(grep -E '(passed|failed|error|skipped|no tests ran|deselected)' "$log" | tail -n 1 \
            | sed -E 's/^=+ //; s/ =+$//')"
  rm -f "$log"
  if [[ $status -eq 0 ]]; then
    summary+=("mlflow $version on $backend: OK   (${result:-no summary}; ${elapsed}s)")
  else
    summary+=("mlflow $version on $backend: FAIL (exit $status; ${result:-no summary}; ${elapsed}s)")
    failed=1
  fi
done
done

echo
echo "compat-tests summary (server: $TARGET)"
for line in "${summary[@]}"; do
  echo "  $line"
done
exit "$failed"
