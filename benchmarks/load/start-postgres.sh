#!/usr/bin/env bash
# A local PostgreSQL for the load benchmark (Debian package), started as root via the 'postgres' OS user.
# Idempotent: re-running is a no-op when the cluster is already up.
# Result: jdbc:postgresql://127.0.0.1:55432/interlace  user=interlace password=interlace
# Env: PGDATA_DIR (default /tmp/interlace-pg/data), PG_PORT (55432), PG_FAST=1 (fsync/sync-commit off), PG_STOP=1 (stop & exit)
set -euo pipefail
PG_PORT="${PG_PORT:-55432}"
PGDATA_DIR="${PGDATA_DIR:-/tmp/interlace-pg/data}"
SOCK_DIR="${PGDATA_DIR}.sock"
LOG="${PGDATA_DIR}.log"
if ! ls -d /usr/lib/postgresql/*/bin >/dev/null 2>&1; then
  apt-get update -q && DEBIAN_FRONTEND=noninteractive apt-get install -y -q postgresql
fi
PGBIN="$(ls -d /usr/lib/postgresql/*/bin | sort -V | tail -1)"
as_pg() { runuser -u postgres -- "$@"; }

if [ "${PG_STOP:-0}" = 1 ]; then
  as_pg "$PGBIN/pg_ctl" -D "$PGDATA_DIR" -m fast stop || true; exit 0
fi

if [ ! -s "$PGDATA_DIR/PG_VERSION" ]; then
  rm -rf "$PGDATA_DIR"; mkdir -p "$PGDATA_DIR"; chown postgres:postgres "$PGDATA_DIR"; chmod 700 "$PGDATA_DIR"
  as_pg "$PGBIN/initdb" -D "$PGDATA_DIR" -U postgres -E UTF8 --locale=C.UTF-8 \
        --auth-local=trust --auth-host=scram-sha-256 >/dev/null
fi
mkdir -p "$SOCK_DIR"; chown postgres:postgres "$SOCK_DIR"
touch "$LOG"; chown postgres:postgres "$LOG"

if ! as_pg "$PGBIN/pg_ctl" -D "$PGDATA_DIR" status >/dev/null 2>&1; then
  OPTS="-c port=$PG_PORT -c listen_addresses=127.0.0.1 -c unix_socket_directories=$SOCK_DIR -c max_connections=200"
  if [ "${PG_FAST:-0}" = 1 ]; then OPTS="$OPTS -c fsync=off -c synchronous_commit=off -c full_page_writes=off"; fi
  as_pg "$PGBIN/pg_ctl" -D "$PGDATA_DIR" -l "$LOG" -o "$OPTS" -w -t 60 start >/dev/null
fi

psql_su() { as_pg psql -X -q -v ON_ERROR_STOP=1 -h "$SOCK_DIR" -p "$PG_PORT" -U postgres -d postgres "$@"; }
psql_su -tAc "SELECT 1 FROM pg_roles WHERE rolname='interlace'" | grep -q 1 \
  || psql_su -c "CREATE ROLE interlace LOGIN PASSWORD 'interlace'"
psql_su -tAc "SELECT 1 FROM pg_database WHERE datname='interlace'" | grep -q 1 \
  || psql_su -c "CREATE DATABASE interlace OWNER interlace"
echo "postgres up: jdbc:postgresql://127.0.0.1:$PG_PORT/interlace (interlace/interlace), log $LOG"
