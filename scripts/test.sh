#!/usr/bin/env bash
# The whole test suite, from a fresh machine: installs the Debian packages the
# tests need when they are missing, starts a throw-away PostgreSQL server,
# and runs every Go test on SQLite and PostgreSQL, browser tests included.
set -euo pipefail
cd "$(dirname "$0")/.."

need=()
command -v chromium >/dev/null 2>&1 || need+=(chromium)
dpkg -s fonts-wqy-microhei >/dev/null 2>&1 || need+=(fonts-wqy-microhei)
# The fallback faces rare name characters (CJK Extension A, B…) are printed
# from (internal/document/fonts/README.md).
dpkg -s fonts-hanazono >/dev/null 2>&1 || need+=(fonts-hanazono)
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

# A real S3-compatible server for the tests that need one (the cluster, the
# S3 adapter's conformance): the Versity S3 gateway, built from the Go
# module proxy once and cached (a few minutes on 2 cores).
if [ -z "${OPCERT_TEST_S3_GATEWAY:-}" ]; then
  gwver=v1.8.0 # internal/s3test.Version
  gwbin="$HOME/.cache/opcert/bin/versitygw-$gwver"
  if [ ! -x "$gwbin" ]; then
    echo "== building the Versity S3 gateway $gwver (once; cached in $gwbin)"
    gwtmp=$(mktemp -d)
    GOBIN="$gwtmp" go install "github.com/versity/versitygw/cmd/versitygw@$gwver"
    mkdir -p "$(dirname "$gwbin")"
    mv "$gwtmp/versitygw" "$gwbin"
    rm -rf "$gwtmp"
  fi
  export OPCERT_TEST_S3_GATEWAY="$gwbin"
fi
export OPCERT_TEST_REQUIRE_S3=1

. scripts/pg.sh
export OPCERT_TEST_REQUIRE_POSTGRES=1
export OPCERT_TEST_REQUIRE_BROWSER=1

echo "== go vet"
go vet ./...
echo "== go test"
go test -count=1 -timeout 15m ./... "$@"
# Every benchmark once, as a check that it still builds and runs: small
# generated data (the real sizes are for make bench and opcert load), and
# no timing is judged.
echo "== benchmarks, once each"
benchdir=$(mktemp -d)
OPCERT_BENCH_HOLDERS=1000 OPCERT_BENCH_QUEUE_APPS=16000 OPCERT_BENCH_DIR="$benchdir" \
  go test -count=1 -run '^$' -bench . -benchtime 1x ./... >"$benchdir/out" 2>&1 || { cat "$benchdir/out"; rm -rf "$benchdir"; exit 1; }
rm -rf "$benchdir"
