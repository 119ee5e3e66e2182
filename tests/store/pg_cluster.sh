#!/bin/bash
# A throwaway PostgreSQL server for the tests: initdb in a temporary directory, listening on a
# free loopback port, run as the unprivileged `postgres` user when called as root.
#
#   pg_cluster.sh start STATE_DIR   start a new cluster; writes STATE_DIR/url (admin URL)
#   pg_cluster.sh pause STATE_DIR   stop the server, keep its data (the database "goes away")
#   pg_cluster.sh resume STATE_DIR  start it again on the same port
#   pg_cluster.sh freeze STATE_DIR  SIGSTOP the server and its backends: it stops answering but
#                                   its connections stay open (a hung host)
#   pg_cluster.sh thaw STATE_DIR    SIGCONT them
#   pg_cluster.sh stop STATE_DIR    stop the server and delete everything
set -euo pipefail

usage="usage: pg_cluster.sh start|pause|resume|freeze|thaw|stop STATE_DIR"
cmd=${1:?$usage}
state=${2:?$usage}

bindir=$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -n 1 || true)
if [ -z "$bindir" ] || [ ! -x "$bindir/initdb" ]; then
  echo "pg_cluster.sh: PostgreSQL server binaries not found (apt-get install postgresql)" >&2
  exit 1
fi

as_owner() {
  if [ "$(id -u)" = 0 ]; then
    runuser -u postgres -- "$@"
  else
    "$@"
  fi
}

server_start() {
  local data=$1 port=$2
  as_owner "$bindir/pg_ctl" -D "$data/db" -l "$data/server.log" -w -t 60 \
    -o "-p $port -k $data -c listen_addresses=127.0.0.1 -c fsync=off -c max_connections=200" \
    start >/dev/null
}

case "$cmd" in
  start)
    mkdir -p "$state"
    if [ -f "$state/data" ]; then "$0" stop "$state" || true; fi
    data=$(mktemp -d /tmp/faqbot-pg.XXXXXX)
    if [ "$(id -u)" = 0 ]; then chown postgres: "$data"; fi
    port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
    as_owner "$bindir/initdb" -D "$data/db" -A trust -U postgres -E UTF8 --no-locale \
      >"$state/initdb.log" 2>&1 || { cat "$state/initdb.log" >&2; exit 1; }
    server_start "$data" "$port" || { cat "$data/server.log" >&2; exit 1; }
    echo "$data" >"$state/data"
    echo "$port" >"$state/port"
    echo "postgresql://postgres@127.0.0.1:$port/postgres" >"$state/url"
    echo "PostgreSQL $($bindir/postgres --version | awk '{print $3}') on 127.0.0.1:$port ($data)"
    ;;
  pause)
    as_owner "$bindir/pg_ctl" -D "$(cat "$state/data")/db" -m fast -w stop >/dev/null
    ;;
  resume)
    server_start "$(cat "$state/data")" "$(cat "$state/port")"
    ;;
  freeze)
    # The postmaster first, so that it forks no backend the list below would miss.
    postmaster=$(head -n 1 "$(cat "$state/data")/db/postmaster.pid")
    kill -STOP "$postmaster"
    children=$(pgrep -P "$postmaster" || true)
    if [ -n "$children" ]; then kill -STOP $children; fi
    ;;
  thaw)
    postmaster=$(head -n 1 "$(cat "$state/data")/db/postmaster.pid")
    children=$(pgrep -P "$postmaster" || true)
    if [ -n "$children" ]; then kill -CONT $children; fi
    kill -CONT "$postmaster"
    ;;
  stop)
    if [ -f "$state/data" ]; then
      data=$(cat "$state/data")
      "$0" thaw "$state" 2>/dev/null || true  # a frozen server would never stop
      as_owner "$bindir/pg_ctl" -D "$data/db" -m immediate -w stop >/dev/null 2>&1 || true
      rm -rf "$data"
      rm -f "$state/data" "$state/port" "$state/url"
    fi
    ;;
  *)
    echo "pg_cluster.sh: unknown command $cmd" >&2
    exit 2
    ;;
esac
