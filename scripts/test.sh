#!/usr/bin/env bash
# The whole test suite, from a fresh machine: installs the Debian packages the
# tests need when they are missing, starts a throw-away PostgreSQL server,
# and runs every Go test on SQLite and PostgreSQL, browser tests included.
set -euo pipefail
cd "$(dirname "$0")/.."

need=()
command -v chromium >/dev/null 2>&1 || need+=(chromium)
dpkg -s fonts-wqy-microhei >/dev/null 2>&1 || need+=(fonts-wqy-microhei)
command -v pdftoppm >/dev/null 2>&1 || need+=(poppler-utils)
if [ -z "${OPCERT_TEST_DATABASE_URL:-}" ]; then
  ls /usr/lib/postgresql/*/bin/initdb >/dev/null 2>&1 || need+=(postgresql)
fi
if [ ${#need[@]} -gt 0 ]; then
  echo "== installing: ${need[*]}"
  sudo=""
  [ "$(id -u)" -eq 0 ] || sudo="sudo"
  export DEBIAN_FRONTEND=noninteractive
  $sudo apt-get update -qq
  $sudo apt-get install -y -qq --no-install-recommends "${need[@]}" >/dev/null
fi

pgdir=""
cleanup() {
  if [ -n "$pgdir" ]; then
    pg_run "$pgbin/pg_ctl -D $pgdir/data -m immediate -w stop" >/dev/null 2>&1 || true
    rm -rf "$pgdir"
  fi
}
trap cleanup EXIT

# initdb refuses to run as root, so the server runs as the postgres user
# that the Debian package creates.
pg_run() {
  if [ "$(id -u)" -eq 0 ]; then su postgres -s /bin/sh -c "$1"; else sh -c "$1"; fi
}

if [ -z "${OPCERT_TEST_DATABASE_URL:-}" ]; then
  pgbin=$(ls -d /usr/lib/postgresql/*/bin | sort -V | tail -1)
  pgdir=$(mktemp -d /tmp/opcert-pg.XXXXXX)
  [ "$(id -u)" -ne 0 ] || chown postgres:postgres "$pgdir"
  port=55432
  while (exec 3<>/dev/tcp/127.0.0.1/$port) 2>/dev/null; do port=$((port + 1)); done
  echo "== starting throw-away PostgreSQL on 127.0.0.1:$port"
  pg_run "$pgbin/initdb -D $pgdir/data -U postgres -A trust -E UTF8 --locale=C.UTF-8" >/dev/null
  pg_run "$pgbin/pg_ctl -D $pgdir/data -l $pgdir/pg.log -w start -o '-p $port -k $pgdir -c listen_addresses=127.0.0.1 -c fsync=off -c synchronous_commit=off -c full_page_writes=off -c max_connections=200'" >/dev/null
  export OPCERT_TEST_DATABASE_URL="postgres://postgres@127.0.0.1:$port/postgres?sslmode=disable"
fi
export OPCERT_TEST_REQUIRE_POSTGRES=1
export OPCERT_TEST_REQUIRE_BROWSER=1

echo "== go vet"
go vet ./...
echo "== go test"
go test -count=1 -timeout 15m ./... "$@"
