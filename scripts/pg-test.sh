#!/usr/bin/env bash
# A throwaway PostgreSQL server for the test suite and the benchmarks (Debian package `postgresql`).
#
#   scripts/pg-test.sh [pytest args]   start it, run the backend + security suite on it, stop it
#                                      (tests/backend tests/security tests/multiprocess unless
#                                      paths are given; multiprocess: two server processes)
#   scripts/pg-test.sh start           start it (if not running) and print the TEST_DATABASE_URL
#   scripts/pg-test.sh stop            stop it
#   scripts/pg-test.sh status          exit 0 if it is running
#   scripts/pg-test.sh url             print the URL
#
# The cluster lives in $PG_TEST_DIR (default /tmp/city109-pg), listens on 127.0.0.1:$PG_TEST_PORT
# (default 55432) only, trusts local connections and trades durability for speed (fsync off):
# it holds nothing but test data. Run as root it runs as the `postgres` user.
set -euo pipefail
cd "$(dirname "$0")/.."
DIR=${PG_TEST_DIR:-/tmp/city109-pg}
PORT=${PG_TEST_PORT:-55432}
URL="postgresql+psycopg://city109:city109@127.0.0.1:$PORT/city109_test"

bin=$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -1 || true)
if [ -z "$bin" ] || [ ! -x "$bin/postgres" ]; then
  echo "PostgreSQL is not installed: run scripts/install-system.sh (or apt-get install postgresql)" >&2
  exit 1
fi

as_owner() {
  if [ "$(id -u)" = 0 ]; then runuser -u postgres -- "$@"; else "$@"; fi
}

running() { as_owner "$bin/pg_ctl" -D "$DIR/data" status >/dev/null 2>&1; }

start() {
  if running; then return 0; fi
  mkdir -p "$DIR"
  if [ "$(id -u)" = 0 ]; then chown postgres: "$DIR"; fi
  if [ ! -f "$DIR/data/PG_VERSION" ]; then
    as_owner "$bin/initdb" -D "$DIR/data" -U postgres -A trust -E UTF8 --locale=C.UTF-8 \
      >"$DIR/initdb.log"
  fi
  as_owner "$bin/pg_ctl" -D "$DIR/data" -l "$DIR/server.log" -w -t 60 start -o \
    "-c listen_addresses=127.0.0.1 -p $PORT -k $DIR -c max_connections=300 -c fsync=off \
     -c synchronous_commit=off -c full_page_writes=off -c shared_buffers=256MB" >/dev/null
  psql_admin() { as_owner "$bin/psql" -h "$DIR" -p "$PORT" -U postgres -v ON_ERROR_STOP=1 -qtA "$@"; }
  if [ -z "$(psql_admin -d postgres -c "SELECT 1 FROM pg_roles WHERE rolname='city109'")" ]; then
    psql_admin -d postgres -c "CREATE ROLE city109 LOGIN PASSWORD 'city109'"
  fi
  if [ -z "$(psql_admin -d postgres -c "SELECT 1 FROM pg_database WHERE datname='city109_test'")" ]
  then
    psql_admin -d postgres -c "CREATE DATABASE city109_test OWNER city109"
  fi
}

stop() {
  if running; then as_owner "$bin/pg_ctl" -D "$DIR/data" -m fast -w stop >/dev/null; fi
}

case "${1:-}" in
  start) start; echo "$URL" ;;
  stop) stop ;;
  status) running ;;
  url) echo "$URL" ;;
  *)
    if ! running; then start; trap stop EXIT; fi
    [ -x .venv/bin/python ] || scripts/bootstrap.sh
    echo "== pytest on PostgreSQL ($URL)"
    paths=0
    for arg in "$@"; do [ -e "${arg%%::*}" ] && paths=1; done
    [ "$paths" = 1 ] || set -- tests/backend tests/security tests/multiprocess "$@"
    set +e
    TEST_DATABASE_URL="$URL" .venv/bin/pytest "$@"
    rc=$?
    set -e
    if [ "$rc" = 5 ]; then echo "pytest collected no tests: that is a failure" >&2; exit 1; fi
    exit "$rc"
    ;;
esac
