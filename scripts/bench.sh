#!/usr/bin/env bash
# The registry look-up benchmark (make bench): BenchmarkHoldingByIDNumber
# with 1 million generated holders on SQLite and PostgreSQL. Without
# OPCERT_TEST_DATABASE_URL it starts a throw-away PostgreSQL server the way
# scripts/test.sh does (installing the Debian package when missing).
#
#   OPCERT_BENCH_HOLDERS=10000 bash scripts/bench.sh   # a quick run
#   bash scripts/bench.sh -count 5                     # extra go test arguments
#
# The generated SQLite file is cached in OPCERT_BENCH_DIR (default
# $TMPDIR/opcert-bench); on a server given by OPCERT_TEST_DATABASE_URL the
# data stays in the schema bench_<N> for the next run. A throw-away server
# is removed at exit, so its data is generated again each time.
set -euo pipefail
cd "$(dirname "$0")/.."

if [ -z "${OPCERT_TEST_DATABASE_URL:-}" ] && ! ls /usr/lib/postgresql/*/bin/initdb >/dev/null 2>&1; then
  echo "== installing: postgresql"
  sudo=""
  [ "$(id -u)" -eq 0 ] || sudo="sudo"
  export DEBIAN_FRONTEND=noninteractive
  $sudo apt-get update -qq
  $sudo apt-get install -y -qq --no-install-recommends postgresql >/dev/null
fi

. scripts/pg.sh

holders=${OPCERT_BENCH_HOLDERS:-1000000}
echo "== $(go version), $(nproc) CPUs, $holders holders"
# -timeout: generating 1 million holders on each engine takes minutes, more
# than go test's default 10; -v shows the whole query plans. Arguments given
# to this script come last and so override these.
cmd=(go test ./internal/store -run '^$' -bench BenchmarkHoldingByIDNumber -benchtime 5s -benchmem -v -timeout 60m "$@")
echo "== ${cmd[*]}"
"${cmd[@]}"
