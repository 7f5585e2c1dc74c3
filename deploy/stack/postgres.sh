#!/usr/bin/env bash
# Runs a private PostgreSQL 15 cluster for development and tests, on 127.0.0.1 only.
#
#   deploy/stack/postgres.sh start|stop|status
#   deploy/stack/postgres.sh reset-db NAME   drop and create database NAME, print its URL
#
# Environment: STACK_DIR (default <repo>/.devstack), PG_PORT (default 55432),
# PG_MAX_CONNECTIONS (default 200), PG_START_TIMEOUT in seconds (default 60).
#
# The cluster belongs to the postgres OS user because initdb and postgres refuse to run as root.
# Its data and unix socket live in STACK_DIR/postgres/cluster, or, when the postgres user cannot
# reach STACK_DIR (a parent directory without search permission for others), in
# /var/tmp/ucmpush-<hash of STACK_DIR>/postgres. The choice is kept in
# STACK_DIR/postgres/cluster-dir. `start` writes STACK_DIR/postgres.env with DATABASE_URL for
# the role and database ucmpush; the role's password is in STACK_DIR/postgres/password.
set -euo pipefail

# shellcheck source=deploy/stack/lib.sh
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

SVC=postgres
PG_PORT=${PG_PORT:-55432}
PG_MAX_CONNECTIONS=${PG_MAX_CONNECTIONS:-200}
PG_START_TIMEOUT=${PG_START_TIMEOUT:-60}
PG_OS_USER=postgres
DB_NAME=ucmpush
DB_ROLE=ucmpush

set_paths() {
    PG_DIR="$STACK_DIR/postgres"
    PIDFILE="$PG_DIR/postgres.pid"
    PASSWORD_FILE="$PG_DIR/password"
    CLUSTER_RECORD="$PG_DIR/cluster-dir"
    ENV_FILE="$STACK_DIR/postgres.env"
    LOG="$LOG_DIR/postgres.log"
}

# as_postgres COMMAND... runs COMMAND as the postgres OS user, in place (setpriv execs, so the
# pid stays the same) and with the working directory /, which that user can always read.
as_postgres() {
    (cd / && exec setpriv --reuid="$PG_OS_USER" --regid="$PG_OS_USER" --init-groups -- "$@")
}

# find_bindir sets PG_BIN to the directory with postgres and initdb, installing the Debian
# package postgresql when neither the usual place nor pg_config has them.
find_bindir() {
    local dir

    for dir in /usr/lib/postgresql/15/bin "$(pg_config --bindir 2>/dev/null || true)"; do
        if [[ -n $dir && -x $dir/postgres && -x $dir/initdb ]]; then
            PG_BIN=$dir
            return 0
        fi
    done

    if ! command -v apt-get >/dev/null || ((EUID != 0)); then
        die "$SVC" "PostgreSQL server binaries not found in /usr/lib/postgresql/15/bin or" \
            "'pg_config --bindir'; install the Debian package postgresql as root"
    fi

    say "$SVC" "PostgreSQL server binaries not found; installing the Debian package postgresql"
    DEBIAN_FRONTEND=noninteractive apt-get install -y -q postgresql >>"$LOG_DIR/apt.log" 2>&1 ||
        die "$SVC" "apt-get install postgresql failed; read $LOG_DIR/apt.log, run" \
            "'apt-get update' if the package lists are missing, then try again"

    [[ -x /usr/lib/postgresql/15/bin/postgres ]] ||
        die "$SVC" "the postgresql package installed no /usr/lib/postgresql/15/bin/postgres;" \
            "install postgresql-15 by hand"
    PG_BIN=/usr/lib/postgresql/15/bin
}

ensure_os_user() {
    if id -u "$PG_OS_USER" >/dev/null 2>&1; then
        return 0
    fi

    useradd --system --user-group --no-create-home --home-dir /var/lib/postgresql \
        --shell /usr/sbin/nologin "$PG_OS_USER" ||
        die "$SVC" "could not create the OS user $PG_OS_USER; create it with useradd and retry"
    say "$SVC" "created the OS user $PG_OS_USER, which owns the cluster files"
}

# choose_cluster_dir sets CLUSTER_DIR, deciding once per STACK_DIR where the cluster lives.
# The postgres user must be able to traverse every parent directory, and the socket path
# CLUSTER_DIR/.s.PGSQL.<port> must fit the 107 bytes that a unix socket address allows, which
# a CLUSTER_DIR of at most 90 characters does.
choose_cluster_dir() {
    local hash

    if [[ -s $CLUSTER_RECORD ]]; then
        CLUSTER_DIR=$(head -n 1 "$CLUSTER_RECORD")
        return 0
    fi

    CLUSTER_DIR="$PG_DIR/cluster"
    if ! as_postgres test -x "$PG_DIR" || ((${#CLUSTER_DIR} > 90)); then
        hash=$(printf '%s' "$STACK_DIR" | sha256sum | cut -c 1-12)
        CLUSTER_DIR="/var/tmp/ucmpush-$hash/postgres"
        mkdir -p "/var/tmp/ucmpush-$hash"
        chmod 755 "/var/tmp/ucmpush-$hash"
        printf '%s\n' "$STACK_DIR" >"/var/tmp/ucmpush-$hash/stack-dir"
    fi

    printf '%s\n' "$CLUSTER_DIR" >"$CLUSTER_RECORD"
}

# init_cluster runs initdb once. It initializes into a temporary directory and renames it, so
# an interrupted initdb leaves no half-made cluster behind. Unix socket connections are
# trusted because the socket sits in CLUSTER_DIR (mode 700), which only postgres and root can
# enter; TCP connections on 127.0.0.1 need a password (scram-sha-256).
init_cluster() {
    local data="$CLUSTER_DIR/data" started

    mkdir -p "$CLUSTER_DIR"
    chown "$PG_OS_USER:$PG_OS_USER" "$CLUSTER_DIR"
    chmod 700 "$CLUSTER_DIR"
    if [[ -f $data/PG_VERSION ]]; then
        return 0
    fi

    started=$(now_ms)
    rm -rf "$data.init"
    as_postgres "$PG_BIN/initdb" -D "$data.init" -U postgres --auth-local=trust \
        --auth-host=scram-sha-256 --encoding=UTF8 --no-locale --no-instructions --no-sync \
        >>"$LOG" 2>&1 || {
        show_log_tail "$LOG"
        die "$SVC" "initdb failed for $data.init; read $LOG for the cause"
    }
    mv "$data.init" "$data"
    say "$SVC" "initialized a cluster in $data in $(seconds_since "$started")"
}

psql_admin() {
    "$PG_BIN/psql" -X -q -v ON_ERROR_STOP=1 -h "$CLUSTER_DIR" -p "$1" -U postgres -d postgres
}

# running_port prints the port of the running cluster, from line 4 of postmaster.pid.
running_port() {
    sed -n 4p "$CLUSTER_DIR/data/postmaster.pid" 2>/dev/null
}

database_url() {
    printf 'postgres://%s:%s@127.0.0.1:%s/%s?sslmode=disable\n' "$DB_ROLE" "$1" "$2" "$3"
}

# ensure_role_and_database creates the role and database ucmpush when missing and sets the
# role's password from PASSWORD_FILE, so a replaced password file takes effect on start.
# The role may create databases, because tests make throwaway ones.
ensure_role_and_database() {
    local port=$1 password=$2

    if ! psql_admin "$port" >>"$LOG" 2>&1 <<SQL; then
SELECT 'CREATE ROLE $DB_ROLE' WHERE NOT EXISTS (SELECT FROM pg_roles WHERE rolname = '$DB_ROLE')
\gexec
ALTER ROLE $DB_ROLE WITH LOGIN CREATEDB PASSWORD '$password';
SELECT 'CREATE DATABASE $DB_NAME OWNER $DB_ROLE'
WHERE NOT EXISTS (SELECT FROM pg_database WHERE datname = '$DB_NAME')
\gexec
SQL
        die "$SVC" "creating the role and database $DB_NAME failed; read $LOG"
    fi
}

pg_ready() {
    "$PG_BIN/pg_isready" -q -h 127.0.0.1 -p "$1" -U postgres -d postgres
}

write_env() {
    local url=$1
    local -a lines=(
        "DATABASE_URL=$url"
        "PG_DATA_DIR=$CLUSTER_DIR/data"
        "PG_SOCKET_DIR=$CLUSTER_DIR"
    )

    if [[ $CLUSTER_DIR != "$PG_DIR"/* ]]; then
        lines+=("# The cluster lives outside STACK_DIR because the postgres OS user cannot reach"
            "# $STACK_DIR. Remove $(dirname "$CLUSTER_DIR") as well to wipe it.")
    fi
    write_env_file "$ENV_FILE" "$SVC" "${lines[@]}"
}

cmd_start() {
    local pid started password url

    stack_init
    set_paths
    mkdir -p "$PG_DIR"
    if pid=$(read_pid "$PIDFILE" postgres); then
        choose_cluster_dir
        say "$SVC" "already running (pid $pid) on 127.0.0.1:$(running_port)"
        return 0
    fi

    check_port_free "$SVC" "$PG_PORT" PG_PORT
    find_bindir
    ensure_os_user
    choose_cluster_dir
    init_cluster
    password=$(ensure_secret "$PASSWORD_FILE")

    # fsync, synchronous_commit and full_page_writes are off for speed: this cluster contains
    # development and test data only, and a machine crash may lose or corrupt it.
    started=$(now_ms)
    spawn "$LOG" setpriv --reuid="$PG_OS_USER" --regid="$PG_OS_USER" --init-groups -- \
        "$PG_BIN/postgres" -D "$CLUSTER_DIR/data" \
        -c listen_addresses=127.0.0.1 -c port="$PG_PORT" \
        -c unix_socket_directories="$CLUSTER_DIR" -c max_connections="$PG_MAX_CONNECTIONS" \
        -c fsync=off -c synchronous_commit=off -c full_page_writes=off
    write_pidfile "$PIDFILE" "$SPAWNED_PID" "$PG_BIN/postgres"
    wait_ready "$SVC" "$SPAWNED_PID" "$PG_START_TIMEOUT" "$LOG" pg_ready "$PG_PORT"

    ensure_role_and_database "$PG_PORT" "$password"
    url=$(database_url "$password" "$PG_PORT" "$DB_NAME")
    "$PG_BIN/psql" -X -q -d "$url" -c 'SELECT 1' >/dev/null 2>>"$LOG" ||
        die "$SVC" "logging in with DATABASE_URL failed; read $LOG"
    write_env "$url"
    say "$SVC" "started (pid $SPAWNED_PID) in $(seconds_since "$started") on 127.0.0.1:$PG_PORT," \
        "database $DB_NAME, data in $CLUSTER_DIR/data"
}

# Fast shutdown (SIGINT) ends open sessions, as tests may leave connections behind. An
# immediate shutdown (SIGQUIT) follows when that takes more than 30 s.
cmd_stop() {
    stack_init
    set_paths
    stop_pid "$SVC" "$PIDFILE" postgres INT 30 QUIT
    rm -f "$ENV_FILE"
}

cmd_status() {
    local pid port

    stack_init
    set_paths
    if ! pid=$(read_pid "$PIDFILE" postgres); then
        say "$SVC" "stopped"
        return "$STATUS_STOPPED"
    fi

    choose_cluster_dir
    find_bindir
    port=$(running_port)
    if ! pg_ready "$port"; then
        say "$SVC" "running (pid $pid) but not accepting connections on 127.0.0.1:$port; read $LOG"
        return "$STATUS_NOT_RESPONDING"
    fi
    say "$SVC" "running (pid $pid) on 127.0.0.1:$port, data in $CLUSTER_DIR/data"
}

# cmd_reset_db NAME drops database NAME (closing its sessions) and creates it empty, owned by
# ucmpush, then prints its URL on stdout.
cmd_reset_db() {
    local name=${1:-} pid port password

    if ! [[ $name =~ ^[a-z_][a-z0-9_]{0,62}$ ]]; then
        die "$SVC" "invalid database name '$name': use 1 to 63 lower-case letters, digits and" \
            "underscores, not starting with a digit"
    fi
    case $name in
    postgres | template0 | template1)
        die "$SVC" "refusing to reset the system database $name; pick another name"
        ;;
    esac

    stack_init
    set_paths
    pid=$(read_pid "$PIDFILE" postgres) ||
        die "$SVC" "not running; start it with deploy/stack/postgres.sh start"
    choose_cluster_dir
    find_bindir
    port=$(running_port)
    password=$(head -n 1 "$PASSWORD_FILE")

    if ! psql_admin "$port" >>"$LOG" 2>&1 <<SQL; then
DROP DATABASE IF EXISTS $name WITH (FORCE);
CREATE DATABASE $name OWNER $DB_ROLE;
SQL
        die "$SVC" "resetting database $name failed; read $LOG"
    fi
    database_url "$password" "$port" "$name"
}

usage() {
    printf 'usage: %s start|stop|status|reset-db NAME\n' "$0" >&2
    exit 2
}

case ${1:-} in
start) cmd_start ;;
stop) cmd_stop ;;
status) cmd_status ;;
reset-db)
    (($# == 2)) || usage
    cmd_reset_db "$2"
    ;;
*) usage ;;
esac
