#!/usr/bin/env bash
# A production Dagster instance on this machine: PostgreSQL instance storage (runs, event logs,
# schedules, sensor cursors), the queued run coordinator (MAX_RUNS at once, one per district),
# dagster-daemon and the webserver, over the same code and definitions as scripts/dev.sh: only
# dagster.yaml differs (docs/deployment.md).
#
#   bash scripts/deploy-local.sh start            PostgreSQL, daemon and UI, in the background
#   bash scripts/deploy-local.sh stop             all three stopped (runs and history kept)
#   bash scripts/deploy-local.sh restart-daemon   the daemon alone, stopped and started again
#   bash scripts/deploy-local.sh status           what runs
#
#   DEPLOY_HOME   instance/ (DAGSTER_HOME: dagster.yaml), logs/, run/ (pids) (default data/.deploy)
#   PG_DATA       PostgreSQL's data folder              (default $DEPLOY_HOME/postgres)
#   PG_PORT       PostgreSQL on 127.0.0.1               (default 5433)
#   PORT          the UI on 127.0.0.1                   (default 3100)
#   MAX_RUNS      runs at once (max_concurrent_runs)    (default 4)
# The districts and their settings: ROSTER_DISTRICTS_DIR (default data/districts), each
# <tenant>/district.toml, and ROSTER_* variables (docs/settings.md). Here ROSTER_AUTOMATION
# defaults to on (sensors and schedule start with the code location) and ROSTER_UI_URL to the UI.
set -euo pipefail
cd "$(dirname "$0")/.."
ROOT="$PWD"
DEPLOY_HOME="$(mkdir -p "${DEPLOY_HOME:-data/.deploy}" && cd "${DEPLOY_HOME:-data/.deploy}" && pwd)"
PG_DATA="${PG_DATA:-$DEPLOY_HOME/postgres}"
PG_PORT="${PG_PORT:-5433}"
PORT="${PORT:-3100}"
MAX_RUNS="${MAX_RUNS:-4}"
INSTANCE="$DEPLOY_HOME/instance"
RUN_DIR="$DEPLOY_HOME/run"
LOG_DIR="$DEPLOY_HOME/logs"
PASSWORD_FILE="$DEPLOY_HOME/postgres.password"
mkdir -p "$INSTANCE" "$RUN_DIR" "$LOG_DIR"

say() { echo "deploy-local: $*"; }
fail() { echo "deploy-local: $*" >&2; exit 1; }

pg_bin() {
  # Debian keeps the server's programs in /usr/lib/postgresql/<version>/bin.
  local found
  found="$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -1 || true)"
  if [ -n "$found" ] && [ -x "$found/postgres" ]; then echo "$found"; return; fi
  if command -v postgres >/dev/null; then dirname "$(command -v postgres)"; return; fi
  fail "PostgreSQL's server programs were not found (Debian: apt-get install postgresql)."
}
PG_BIN="$(pg_bin)"

as_pg() {
  # PostgreSQL refuses to run as root: as root, its programs run as the postgres user.
  if [ "$(id -u)" = 0 ]; then
    runuser -u postgres -- "$@"
  else
    "$@"
  fi
}

pg_start() {
  if [ ! -f "$PG_DATA/PG_VERSION" ]; then
    mkdir -p "$PG_DATA"
    if [ "$(id -u)" = 0 ]; then
      chown postgres: "$PG_DATA"
      runuser -u postgres -- test -w "$PG_DATA" \
        || fail "the postgres user cannot write $PG_DATA (set PG_DATA to a folder it can reach)."
    fi
    chmod 700 "$PG_DATA"
    [ -f "$PASSWORD_FILE" ] || (umask 077 && "$ROOT/.venv/bin/python" -c \
      'import secrets; print(secrets.token_urlsafe(24))' > "$PASSWORD_FILE")
    # initdb reads the password from a file of its user's own, removed right after.
    local pwfile
    pwfile="$(as_pg mktemp)"
    as_pg sh -c 'cat > "$1"' _ "$pwfile" <"$PASSWORD_FILE"
    as_pg "$PG_BIN/initdb" -D "$PG_DATA" -U dagster --pwfile="$pwfile" \
      --auth-local=scram-sha-256 --auth-host=scram-sha-256 -E UTF8 --locale=C.UTF-8 \
      >"$LOG_DIR/initdb.log" 2>&1 || { as_pg rm -f "$pwfile"; cat "$LOG_DIR/initdb.log" >&2; fail "initdb failed."; }
    as_pg rm -f "$pwfile"
    NEW_CLUSTER=1
  fi
  if as_pg "$PG_BIN/pg_ctl" -D "$PG_DATA" status >/dev/null 2>&1; then
    say "PostgreSQL already runs ($PG_DATA)"
  else
    as_pg "$PG_BIN/pg_ctl" -D "$PG_DATA" -l "$PG_DATA/server.log" -w -t 60 \
      -o "-c listen_addresses=127.0.0.1 -p $PG_PORT -c unix_socket_directories=$PG_DATA" \
      start >/dev/null || { tail -20 "$PG_DATA/server.log" >&2; fail "PostgreSQL did not start."; }
    say "PostgreSQL on 127.0.0.1:$PG_PORT ($PG_DATA)"
  fi
  export PGPASSWORD="$(cat "$PASSWORD_FILE")"
  if [ "${NEW_CLUSTER:-0}" = 1 ]; then
    "$PG_BIN/createdb" -h 127.0.0.1 -p "$PG_PORT" -U dagster dagster
  fi
}

write_instance() {
  # The only file that differs from scripts/dev.sh's instance (scripts/dagster.yaml).
  cat >"$INSTANCE/dagster.yaml" <<YAML
# Written by scripts/deploy-local.sh: the production instance (docs/deployment.md).
storage:
  postgres:
    postgres_db:
      hostname: 127.0.0.1
      port: $PG_PORT
      username: dagster
      password: {env: DAGSTER_PG_PASSWORD}
      db_name: dagster
      # SQLAlchemy 2.1 reads postgresql:// as psycopg 3; dagster-postgres brings psycopg2.
      scheme: postgresql+psycopg2
run_coordinator:
  module: dagster._core.run_coordinator
  class: QueuedRunCoordinator
  config:
    max_concurrent_runs: $MAX_RUNS
    # Launch queued runs in parallel threads, looking every 2 s (default: one at a time, 5 s).
    dequeue_interval_seconds: 2
    dequeue_use_threads: true
    dequeue_num_workers: $MAX_RUNS
    tag_concurrency_limits:
      - key: district
        value:
          applyLimitPerUniqueValue: true
        limit: 1
run_monitoring:
  enabled: true
  poll_interval_seconds: 30
retention:
  schedule:
    purge_after_days: 90
  sensor:
    purge_after_days:
      skipped: 7
      failure: 30
      success: -1
telemetry:
  enabled: false
YAML
}

export_environment() {
  source "$ROOT/scripts/memory.sh"
  export DAGSTER_HOME="$INSTANCE"
  export DAGSTER_PG_PASSWORD="$(cat "$PASSWORD_FILE")"
  export ROSTER_AUTOMATION="${ROSTER_AUTOMATION:-on}"
  export ROSTER_UI_URL="${ROSTER_UI_URL:-http://127.0.0.1:$PORT}"
  export ROSTER_DISTRICTS_DIR="${ROSTER_DISTRICTS_DIR:-$ROOT/data/districts}"
  mkdir -p "$ROSTER_DISTRICTS_DIR"
}

alive() { [ -f "$RUN_DIR/$1.pid" ] && kill -0 "$(cat "$RUN_DIR/$1.pid")" 2>/dev/null; }

start_process() {
  local name="$1"; shift
  if alive "$name"; then say "$name already runs (pid $(cat "$RUN_DIR/$name.pid"))"; return; fi
  # Its own session, so that stopping it stops the code server it starts, too.
  setsid "$@" >>"$LOG_DIR/$name.log" 2>&1 < /dev/null &
  echo $! >"$RUN_DIR/$name.pid"
}

stop_process() {
  local name="$1" pid
  alive "$name" || { rm -f "$RUN_DIR/$name.pid"; return 0; }
  pid="$(cat "$RUN_DIR/$name.pid")"
  kill -TERM -- "-$pid" 2>/dev/null || kill -TERM "$pid"
  for _ in $(seq 1 60); do
    kill -0 "$pid" 2>/dev/null || break
    sleep 0.5
  done
  kill -KILL -- "-$pid" 2>/dev/null || true
  rm -f "$RUN_DIR/$name.pid"
  say "$name stopped"
}

start_daemon() {
  # A stopped daemon's last heartbeats would pass the liveness check: wipe them first.
  alive daemon || "$ROOT/.venv/bin/dagster-daemon" wipe >/dev/null 2>&1 || true
  start_process daemon "$ROOT/.venv/bin/dagster-daemon" run -w "$ROOT/workspace.yaml"
  for _ in $(seq 1 120); do
    if "$ROOT/.venv/bin/dagster-daemon" liveness-check >/dev/null 2>&1; then
      say "dagster-daemon runs (pid $(cat "$RUN_DIR/daemon.pid"), log $LOG_DIR/daemon.log)"
      return
    fi
    alive daemon || { tail -30 "$LOG_DIR/daemon.log" >&2; fail "dagster-daemon exited."; }
    sleep 1
  done
  fail "dagster-daemon sent no heartbeat in 120 s (log $LOG_DIR/daemon.log)."
}

start_webserver() {
  start_process webserver "$ROOT/.venv/bin/dagster-webserver" -w "$ROOT/workspace.yaml" \
    -h 127.0.0.1 -p "$PORT"
  for _ in $(seq 1 120); do
    if "$ROOT/.venv/bin/python" - "$PORT" <<'PY' 2>/dev/null
import sys, urllib.request
urllib.request.urlopen(f"http://127.0.0.1:{sys.argv[1]}/server_info", timeout=2)
PY
    then
      say "UI on http://127.0.0.1:$PORT (log $LOG_DIR/webserver.log)"
      return
    fi
    alive webserver || { tail -30 "$LOG_DIR/webserver.log" >&2; fail "the webserver exited."; }
    sleep 1
  done
  fail "the webserver did not answer in 120 s (log $LOG_DIR/webserver.log)."
}

case "${1:-start}" in
  start)
    bash scripts/setup.sh
    pg_start
    write_instance
    export_environment
    start_daemon
    start_webserver
    say "DAGSTER_HOME=$INSTANCE; districts in $ROSTER_DISTRICTS_DIR; stop: bash scripts/deploy-local.sh stop"
    ;;
  stop)
    stop_process webserver
    stop_process daemon
    if [ -f "$PG_DATA/PG_VERSION" ] && as_pg "$PG_BIN/pg_ctl" -D "$PG_DATA" status >/dev/null 2>&1; then
      as_pg "$PG_BIN/pg_ctl" -D "$PG_DATA" -m fast -w stop >/dev/null
      say "PostgreSQL stopped"
    fi
    ;;
  restart-daemon)
    export_environment
    stop_process daemon
    start_daemon
    ;;
  status)
    for name in daemon webserver; do
      if alive "$name"; then say "$name runs (pid $(cat "$RUN_DIR/$name.pid"))"; else say "$name stopped"; fi
    done
    if [ -f "$PG_DATA/PG_VERSION" ] && as_pg "$PG_BIN/pg_ctl" -D "$PG_DATA" status >/dev/null 2>&1; then
      say "PostgreSQL runs on 127.0.0.1:$PG_PORT"
    else
      say "PostgreSQL stopped"
    fi
    ;;
  *)
    fail "usage: bash scripts/deploy-local.sh [start|stop|restart-daemon|status]"
    ;;
esac
