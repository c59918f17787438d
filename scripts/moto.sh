#!/usr/bin/env bash
# Makes an S3 endpoint available for the tests: installs `moto[server]` (pinned) into a cached
# virtualenv when it is missing, starts `moto_server` on 127.0.0.1 in the background unless one
# already answers there, waits until it answers, and prints its URL.
#
# Usage: FLOWREG_TEST_S3_ENDPOINT="$(bash scripts/moto.sh)"
#   scripts/moto.sh          start (or reuse) the server and print its URL
#   scripts/moto.sh --stop   stop a server this script started
#
# Environment:
#   FLOWREG_CACHE      cache directory (default: ~/.cache/flowreg): the venv, pip cache, pid and log
#   FLOWREG_MOTO_PORT  port (default 5019)
#   PYTHON             interpreter used to create the venv (default: python3)
#
# The server keeps running after the script exits (tests in several processes share it); moto
# keeps everything in memory, so a restart starts empty. Tests use a bucket of their own each.
set -euo pipefail

MOTO_VERSION="5.2.5"
CACHE_DIR="${FLOWREG_CACHE:-$HOME/.cache/flowreg}"
VENV="$CACHE_DIR/venv-moto"
PORT="${FLOWREG_MOTO_PORT:-5019}"
PYTHON="${PYTHON:-python3}"
PID_FILE="$CACHE_DIR/moto-$PORT.pid"
LOG_FILE="$CACHE_DIR/moto-$PORT.log"
URL="http://127.0.0.1:$PORT"
export PIP_CACHE_DIR="${PIP_CACHE_DIR:-$CACHE_DIR/pip}"
export PIP_DISABLE_PIP_VERSION_CHECK=1

if [ "${1:-}" = "--stop" ]; then
  if [ -f "$PID_FILE" ] && kill -0 "$(cat "$PID_FILE")" 2>/dev/null; then
    kill "$(cat "$PID_FILE")"
    echo "[flowreg] stopped moto_server on $URL" >&2
  fi
  rm -f "$PID_FILE"
  exit 0
fi

# moto answers GET /moto-api/ with its dashboard; any HTTP answer means it is up.
answering() {
  if command -v curl >/dev/null 2>&1; then
    curl -s -o /dev/null --max-time 2 "$URL/moto-api/" 2>/dev/null
  else
    "$PYTHON" -c "import urllib.request, sys; urllib.request.urlopen(sys.argv[1], timeout=2)" "$URL/moto-api/" >/dev/null 2>&1
  fi
}

if answering; then
  echo "$URL"
  exit 0
fi

mkdir -p "$CACHE_DIR"
if [ ! -x "$VENV/bin/moto_server" ] || ! "$VENV/bin/python" -c "import moto, sys; sys.exit(moto.__version__ != '$MOTO_VERSION')" 2>/dev/null; then
  echo "[flowreg] installing moto[server]==$MOTO_VERSION into $VENV…" >&2
  "$PYTHON" -m venv "$VENV" >&2
  "$VENV/bin/pip" install -q "moto[server]==$MOTO_VERSION" >&2
fi

# setsid: the server outlives this script and is not hit by a Ctrl-C meant for the test run.
setsid "$VENV/bin/moto_server" -H 127.0.0.1 -p "$PORT" >"$LOG_FILE" 2>&1 < /dev/null &
echo $! >"$PID_FILE"

for _ in $(seq 1 100); do
  if answering; then
    echo "$URL"
    exit 0
  fi
  if ! kill -0 "$(cat "$PID_FILE")" 2>/dev/null; then
    echo "[flowreg] moto_server exited; its log ($LOG_FILE):" >&2
    tail -20 "$LOG_FILE" >&2
    exit 1
  fi
  sleep 0.2
done
echo "[flowreg] moto_server did not answer on $URL within 20 s; log: $LOG_FILE" >&2
exit 1
