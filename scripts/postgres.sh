#!/usr/bin/env bash
# Makes a local PostgreSQL available for the tests: installs it from Debian's packages when it is
# missing, starts the cluster, sets a password for the `postgres` role, and prints the URL.
# Usage: FLOWREG_TEST_PG_URL="$(bash scripts/postgres.sh)"
set -euo pipefail
PGPASS="${FLOWREG_PG_PASSWORD:-flowreg}"
PGPORT="${FLOWREG_PG_PORT:-5432}"
if ! ls /usr/lib/postgresql/*/bin/postgres >/dev/null 2>&1; then
  echo "[flowreg] installing PostgreSQL from Debian packages…" >&2
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq >&2
  apt-get install -y -qq postgresql >&2
fi
version="$(ls /usr/lib/postgresql | sort -V | tail -1)"
if ! pg_lsclusters -h 2>/dev/null | awk '{print $1" "$2}' | grep -q "^$version main$"; then
  pg_createcluster "$version" main >&2
fi
if ! pg_lsclusters -h | awk -v v="$version" '$1==v && $2=="main" {print $4}' | grep -q online; then
  pg_ctlcluster "$version" main start >&2
fi
for _ in $(seq 1 30); do
  if runuser -u postgres -- psql -p "$PGPORT" -qtAc "select 1" >/dev/null 2>&1; then break; fi
  sleep 1
done
runuser -u postgres -- psql -p "$PGPORT" -qtAc "ALTER USER postgres PASSWORD '$PGPASS'" >/dev/null
echo "postgresql://postgres:${PGPASS}@127.0.0.1:${PGPORT}/postgres"
