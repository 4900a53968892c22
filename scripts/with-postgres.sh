#!/usr/bin/env bash
# Run a command against a throw-away PostgreSQL cluster:  scripts/with-postgres.sh CMD [ARGS...]
#
# Starts a private cluster in a temporary directory (data + socket), owned by an unprivileged OS user,
# listening only on 127.0.0.1 on a free port, creates the superuser role `sigap` (pytest-django needs
# CREATEDB to create its test database) and the database `sigap`, exports DATABASE_URL, runs CMD, and
# removes the cluster on exit whatever happens. CMD's exit status is this script's exit status.
#
# When no PostgreSQL server is installed, it installs Debian's `postgresql` package (needs root, as in
# CI). Set SIGAP_PG_FSYNC=on to keep durability (default off: a test cluster is thrown away anyway).
set -euo pipefail

if [[ $# -eq 0 ]]; then
    echo "usage: $0 CMD [ARGS...]" >&2
    exit 2
fi

find_pg_bin() {
    local initdb
    initdb=$(ls -d /usr/lib/postgresql/*/bin/initdb 2>/dev/null | sort -V | tail -n 1 || true)
    if [[ -n "$initdb" ]]; then
        dirname "$initdb"
    elif command -v initdb >/dev/null && command -v pg_ctl >/dev/null; then
        dirname "$(command -v initdb)"
    fi
}

PG_BIN=$(find_pg_bin)
if [[ -z "$PG_BIN" ]]; then
    if [[ $(id -u) -ne 0 ]]; then
        echo "with-postgres: no PostgreSQL server found; install it (apt-get install postgresql) or run as root" >&2
        exit 1
    fi
    echo "with-postgres: installing Debian's postgresql package" >&2
    export DEBIAN_FRONTEND=noninteractive
    apt-get update -q
    apt-get install -y -q postgresql
    PG_BIN=$(find_pg_bin)
fi

# initdb refuses to run as root: run the cluster as an unprivileged user.
if [[ $(id -u) -eq 0 ]]; then
    PG_OS_USER=${SIGAP_PG_OS_USER:-sigaptest}
    if ! id -u "$PG_OS_USER" >/dev/null 2>&1; then
        useradd --system --no-create-home --home-dir /nonexistent --shell /usr/sbin/nologin "$PG_OS_USER"
    fi
    as_pg() { runuser -u "$PG_OS_USER" -- "$@"; }
else
    PG_OS_USER=$(id -un)
    as_pg() { "$@"; }
fi

WORK=$(mktemp -d "${TMPDIR:-/tmp}/sigap-pg.XXXXXX")
chmod 700 "$WORK"
chown "$PG_OS_USER" "$WORK"

cleanup() {
    local rc=$?
    if [[ -f "$WORK/data/postmaster.pid" ]]; then
        (cd "$WORK" && as_pg "$PG_BIN/pg_ctl" -D "$WORK/data" -m immediate -w stop >/dev/null 2>&1) || true
    fi
    rm -rf "$WORK"
    exit "$rc"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

PORT=$(python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
PASSWORD=$(python3 -c 'import secrets; print(secrets.token_hex(16))')
FSYNC=${SIGAP_PG_FSYNC:-off}

cd "$WORK"  # the unprivileged user may not be able to read the caller's directory
as_pg "$PG_BIN/initdb" -D "$WORK/data" -U postgres -E UTF8 --locale=C.UTF-8 \
    --auth-local=trust --auth-host=scram-sha-256 >"$WORK/initdb.log" 2>&1 \
    || { cat "$WORK/initdb.log" >&2; exit 1; }
as_pg "$PG_BIN/pg_ctl" -D "$WORK/data" -l "$WORK/server.log" -w -t 60 \
    -o "-c listen_addresses=127.0.0.1 -p $PORT -k $WORK -c fsync=$FSYNC -c synchronous_commit=$FSYNC \
        -c full_page_writes=$FSYNC -c max_connections=50" start >/dev/null \
    || { cat "$WORK/server.log" >&2; exit 1; }
as_pg "$PG_BIN/psql" -h "$WORK" -p "$PORT" -U postgres -d postgres -qAt -v ON_ERROR_STOP=1 \
    -c "CREATE ROLE sigap LOGIN SUPERUSER PASSWORD '$PASSWORD'" \
    -c "CREATE DATABASE sigap OWNER sigap" >/dev/null
cd - >/dev/null

export DATABASE_URL="postgres://sigap:$PASSWORD@127.0.0.1:$PORT/sigap"
echo "with-postgres: PostgreSQL $("$PG_BIN/postgres" --version | awk '{print $3}') on 127.0.0.1:$PORT" >&2

set +e
"$@"
exit $?
