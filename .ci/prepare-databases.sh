#!/usr/bin/env bash
# Makes the local PostgreSQL and MariaDB ready for xatm's tests:
#  - PostgreSQL: max_prepared_transactions > 0 (XA needs it; the server ships with 0), fsync on;
#  - MariaDB: running and reachable as root on 127.0.0.1:3306.
# Idempotent: safe to run again. Needs root (or the postgres user for PostgreSQL).
set -euo pipefail

PG_WANT_PREPARED=${PG_WANT_PREPARED:-100}

log() { echo "[prepare-databases] $*"; }

psql_admin() { psql -h 127.0.0.1 -U postgres -d postgres -Atqc "$1"; }

pg_version() { ls /etc/postgresql 2>/dev/null | sort -n | tail -1; }

wait_for() { # description, command...
  local what=$1; shift
  for _ in $(seq 1 60); do
    if "$@" >/dev/null 2>&1; then return 0; fi
    sleep 1
  done
  log "$what did not become ready in 60 s"; return 1
}

# --- PostgreSQL -------------------------------------------------------------------------------
ver=$(pg_version)
if ! pg_isready -h 127.0.0.1 -p 5432 >/dev/null 2>&1; then
  if [ -n "$ver" ]; then
    log "starting PostgreSQL $ver"
    pg_ctlcluster --skip-systemctl-redirect "$ver" main start || true
  fi
fi
wait_for "PostgreSQL on 127.0.0.1:5432" pg_isready -h 127.0.0.1 -p 5432

current=$(psql_admin "show max_prepared_transactions")
if [ "$current" -lt 1 ]; then
  log "PostgreSQL max_prepared_transactions = $current; setting $PG_WANT_PREPARED and restarting"
  psql_admin "alter system set max_prepared_transactions = $PG_WANT_PREPARED"
  pg_ctlcluster --skip-systemctl-redirect "$ver" main restart
  wait_for "PostgreSQL after restart" pg_isready -h 127.0.0.1 -p 5432
fi
log "PostgreSQL: max_prepared_transactions=$(psql_admin 'show max_prepared_transactions'), fsync=$(psql_admin 'show fsync')"

# --- MariaDB ----------------------------------------------------------------------------------
if ! mariadb -h127.0.0.1 -uroot -e 'select 1' >/dev/null 2>&1; then
  log "starting MariaDB"
  start-stop-daemon --start --oknodo --background --exec /usr/sbin/mariadbd || true
fi
wait_for "MariaDB on 127.0.0.1:3306" mariadb -h127.0.0.1 -uroot -e 'select 1'
mariadb -h127.0.0.1 -uroot -e 'create database if not exists test'
log "MariaDB: $(mariadb -h127.0.0.1 -uroot -N -e 'select version()')"
