#!/usr/bin/env bash
# Makes Debian's Chromium available for the web UI's browser tests (test/integration/ui-browser.test.ts):
# installs the `chromium` package when it is missing, and prints the browser's path. The tests
# drive it with playwright-core, which never downloads a browser of its own.
# Usage: FLOWREG_TEST_CHROMIUM="$(bash scripts/chromium.sh)"
set -euo pipefail
if ! command -v chromium >/dev/null 2>&1; then
  echo "[flowreg] installing Chromium from Debian packages…" >&2
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq >&2
  apt-get install -y -qq chromium >&2
fi
command -v chromium
