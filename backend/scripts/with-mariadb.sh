#!/bin/sh
# Run a command (default: the backend test suite) against a throw-away MariaDB server and a
# throw-away memcached (the LMS's database and cache): fresh, in a temp folder, Unix sockets only
# (no TCP port), removed on exit. The command sees WAFFLE_TEST_DB and WAFFLE_TEST_CACHE.
#
#   backend/scripts/with-mariadb.sh                       # pytest -q on MariaDB
#   backend/scripts/with-mariadb.sh /usr/bin/python3 -m pytest -q tests/test_services.py
#
# Needs the Debian packages mariadb-server, python3-mysqldb, memcached and python3-pymemcache
# (node scripts/ensure.mjs --all).
set -eu
# Debian puts mariadbd in /usr/sbin, which an ordinary user's PATH may lack.
PATH="$PATH:/usr/sbin:/sbin"
here=$(cd "$(dirname "$0")/.." && pwd)
tmp=$(mktemp -d "${TMPDIR:-/tmp}/waffle-mariadb.XXXXXX")
sock="$tmp/mysqld.sock"
cache_sock="$tmp/memcached.sock"
pid=""
cache_pid=""
cleanup() {
  for p in $pid $cache_pid; do
    if kill -0 "$p" 2>/dev/null; then
      kill "$p" 2>/dev/null || true
      wait "$p" 2>/dev/null || true
    fi
  done
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

# memcached: -s serves the Unix socket only; 64 MB; -u is required when run as root.
memcached_user=""
if [ "$(id -u)" = 0 ]; then memcached_user="-u root"; fi
memcached -s "$cache_sock" -a 0700 -m 64 $memcached_user 2>"$tmp/memcached.log" &
cache_pid=$!
i=0
until [ -S "$cache_sock" ]; do
  i=$((i + 1))
  if [ $i -gt 100 ] || ! kill -0 "$cache_pid" 2>/dev/null; then
    echo "memcached did not start:" >&2
    cat "$tmp/memcached.log" >&2
    exit 1
  fi
  sleep 0.1
done

export WAFFLE_TEST_CACHE="unix:$cache_sock"
export WAFFLE_TEST_DB="mysql://root@/waffle_enrollments?unix_socket=$sock"
cd "$here"
if [ $# -eq 0 ]; then
  set -- /usr/bin/python3 -m pytest -q
fi
status=0
"$@" || status=$?
exit $status
