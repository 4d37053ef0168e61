#!/bin/sh
# Run a command (default: the backend test suite) against a throw-away MariaDB server:
# a fresh data directory in a temp folder, a Unix socket only (no TCP), removed on exit.
#
#   backend/scripts/with-mariadb.sh                       # pytest -q on MariaDB
#   backend/scripts/with-mariadb.sh /usr/bin/python3 -m pytest -q tests/test_services.py
#
# Needs the Debian packages mariadb-server and python3-mysqldb (node scripts/ensure.mjs --all).
set -eu
# Debian puts mariadbd in /usr/sbin, which an ordinary user's PATH may lack.
PATH="$PATH:/usr/sbin:/sbin"
here=$(cd "$(dirname "$0")/.." && pwd)
tmp=$(mktemp -d "${TMPDIR:-/tmp}/waffle-mariadb.XXXXXX")
sock="$tmp/mysqld.sock"
pid=""
cleanup() {
  if [ -n "$pid" ] && kill -0 "$pid" 2>/dev/null; then
    kill "$pid" 2>/dev/null || true
    wait "$pid" 2>/dev/null || true
  fi
  rm -rf "$tmp"
}
trap cleanup EXIT INT TERM

user_opt=""
if [ "$(id -u)" = 0 ]; then user_opt="--user=root"; fi

mariadb-install-db --no-defaults --datadir="$tmp/data" $user_opt --auth-root-authentication-method=normal \
  --skip-test-db >"$tmp/install.log" 2>&1 || { cat "$tmp/install.log"; exit 1; }
mariadbd --no-defaults --datadir="$tmp/data" --socket="$sock" --skip-networking --pid-file="$tmp/mysqld.pid" \
  --innodb-buffer-pool-size=64M --innodb-lock-wait-timeout=20 --character-set-server=utf8mb4 \
  --collation-server=utf8mb4_unicode_ci $user_opt --log-error="$tmp/error.log" &
pid=$!

i=0
until mariadb --no-defaults --socket="$sock" -uroot -e 'select 1' >/dev/null 2>&1; do
  i=$((i + 1))
  if [ $i -gt 100 ] || ! kill -0 "$pid" 2>/dev/null; then
    echo "MariaDB did not start:" >&2
    cat "$tmp/error.log" >&2
    exit 1
  fi
  sleep 0.2
done

export WAFFLE_TEST_DB="mysql://root@/waffle_enrollments?unix_socket=$sock"
cd "$here"
if [ $# -eq 0 ]; then
  set -- /usr/bin/python3 -m pytest -q
fi
status=0
"$@" || status=$?
exit $status
