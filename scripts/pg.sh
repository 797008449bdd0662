# Sourced by test.sh and bench.sh: when OPCERT_TEST_DATABASE_URL is unset,
# start a throw-away PostgreSQL server on a free loopback port, export its
# URL, and stop and remove it when the calling script exits.

pgdir=""
pg_cleanup() {
  if [ -n "$pgdir" ]; then
    pg_run "$pgbin/pg_ctl -D $pgdir/data -m immediate -w stop" >/dev/null 2>&1 || true
    rm -rf "$pgdir"
  fi
}
trap pg_cleanup EXIT

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
  if ! pg_run "$pgbin/pg_ctl -D $pgdir/data -l $pgdir/pg.log -w start -o '-p $port -k $pgdir -c listen_addresses=127.0.0.1 -c fsync=off -c synchronous_commit=off -c full_page_writes=off -c max_connections=200'" >/dev/null; then
    echo "== PostgreSQL did not start; its log:" >&2
    cat "$pgdir/pg.log" >&2 || true
    exit 1
  fi
  export OPCERT_TEST_DATABASE_URL="postgres://postgres@127.0.0.1:$port/postgres?sslmode=disable"
fi
