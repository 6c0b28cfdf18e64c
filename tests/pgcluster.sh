#!/usr/bin/env bash
# A throwaway PostgreSQL cluster for the integration tests: a temporary directory, 127.0.0.1 on a
# free port, trust authentication, no fsync (nothing in it outlives the run).
#
#   tests/pgcluster.sh bindir   print the folder of PostgreSQL's server programs (exit 1: none)
#   tests/pgcluster.sh start    create and start a cluster; print shell lines that export
#                               WALKOUT_TEST_POSTGRES_URL and WALKOUT_TEST_POSTGRES_DIR
#                               (use: eval "$(tests/pgcluster.sh start)")
#   tests/pgcluster.sh stop DIR stop the cluster in DIR and delete DIR
#
# The server programs are found on PATH (pg_ctl, initdb) or in Debian's /usr/lib/postgresql/*/bin
# (the newest). PostgreSQL refuses to run as root: as root the cluster belongs to the `postgres`
# user that Debian's package creates, and runs under runuser.
set -euo pipefail

die() { echo "pgcluster: $*" >&2; exit 1; }

bindir() {
  local found dir
  if found=$(command -v pg_ctl 2>/dev/null); then
    dir=$(dirname "$(readlink -f "$found")")
    if [ -x "$dir/initdb" ] && [ -x "$dir/postgres" ]; then echo "$dir"; return 0; fi
  fi
  for dir in $(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V -r); do
    if [ -x "$dir/pg_ctl" ] && [ -x "$dir/initdb" ] && [ -x "$dir/postgres" ]; then
      echo "$dir"; return 0
    fi
  done
  return 1
}

as_owner() {  # run a server program as the cluster's owner
  if [ "$(id -u)" -eq 0 ]; then runuser -u postgres -- "$@"; else "$@"; fi
}

port_in_use() { (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null; }

start() {
  local bin dir port locale tries=0
  bin=$(bindir) || die "PostgreSQL's server programs (initdb, pg_ctl) not found; install PostgreSQL (Debian: apt-get install postgresql)"
  if [ "$(id -u)" -eq 0 ] && ! id postgres >/dev/null 2>&1; then
    die "running as root needs the 'postgres' user to own the cluster (Debian's postgresql package creates it)"
  fi
  dir=$(mktemp -d "${TMPDIR:-/tmp}/walkout-pg.XXXXXX")
  [ "$(id -u)" -eq 0 ] && chown postgres: "$dir"
  # A UTF-8 character type, so lower()/ILIKE fold all of Unicode (as the bot's SQLite lower()
  # does); C.UTF-8 also sorts text by code point, like SQLite.
  for locale in C.UTF-8 C.utf8 en_US.UTF-8; do
    if as_owner "$bin/initdb" -D "$dir/data" -U walkout --auth=trust -E UTF8 --locale="$locale" \
         --no-sync >"$dir/initdb.log" 2>&1; then
      break
    fi
    rm -rf "${dir:?}/data"
    locale=
  done
  [ -n "$locale" ] || { cat "$dir/initdb.log" >&2; rm -rf "$dir"; die "initdb failed"; }
  while :; do
    port=$((20000 + RANDOM % 40000))
    port_in_use "$port" && continue
    if as_owner "$bin/pg_ctl" -D "$dir/data" -l "$dir/server.log" -w -t 60 start -o \
         "-p $port -k $dir -c listen_addresses=127.0.0.1 -c fsync=off -c synchronous_commit=off -c full_page_writes=off -c max_connections=200" \
         >/dev/null 2>&1; then
      break
    fi
    tries=$((tries + 1))
    if [ "$tries" -ge 5 ]; then
      tail -n 20 "$dir/server.log" >&2 || true
      rm -rf "$dir"
      die "the server did not start"
    fi
  done
  printf 'export WALKOUT_TEST_POSTGRES_URL=%q\n' "postgresql+asyncpg://walkout@127.0.0.1:$port/postgres"
  printf 'export WALKOUT_TEST_POSTGRES_DIR=%q\n' "$dir"
}

stop() {
  local dir=${1:-} bin
  [ -n "$dir" ] && [ -d "$dir" ] || return 0
  if [ -f "$dir/data/postmaster.pid" ] && bin=$(bindir); then
    as_owner "$bin/pg_ctl" -D "$dir/data" -m immediate -w stop >/dev/null 2>&1 || true
  fi
  rm -rf "$dir"
}

case "${1:-}" in
  bindir) bindir ;;
  start) start ;;
  stop) stop "${2:-}" ;;
  *) echo "usage: tests/pgcluster.sh bindir | start | stop DIR" >&2; exit 2 ;;
esac
