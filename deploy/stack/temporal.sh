#!/usr/bin/env bash
# Runs the Temporal dev server of the Temporal CLI v1.5.1 (Server 1.29) on 127.0.0.1 only.
#
#   deploy/stack/temporal.sh start|stop|status
#   deploy/stack/temporal.sh build   build <repo>/.tools/temporal when missing, then exit
#
# Environment: STACK_DIR (default <repo>/.devstack), TEMPORAL_PORT (gRPC, default 7233),
# TEMPORAL_UI_PORT (Web UI, default TEMPORAL_PORT + 1000, so 8233), TEMPORAL_DB_FILE (a SQLite
# file that keeps workflows across restarts; unset keeps everything in memory, which is faster),
# TEMPORAL_BIN (a Temporal CLI to use instead of <repo>/.tools/temporal),
# TEMPORAL_START_TIMEOUT in seconds (default 90).
#
# The server creates the namespace default and registers the Ucmpush* search attributes at
# start. `start` writes STACK_DIR/temporal.env with TEMPORAL_ADDRESS, TEMPORAL_NAMESPACE and
# TEMPORAL_UI_URL. When the codec server of codec.sh runs, start passes its endpoint to the Web
# UI (--ui-codec-endpoint), so the UI shows decrypted payloads; start codec.sh first.
set -euo pipefail

# shellcheck source=deploy/stack/lib.sh
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

SVC=temporal
CLI_MODULE=github.com/temporalio/cli
CLI_VERSION=v1.5.1
TEMPORAL_PORT=${TEMPORAL_PORT:-7233}
TEMPORAL_UI_PORT=${TEMPORAL_UI_PORT:-$((TEMPORAL_PORT + 1000))}
TEMPORAL_START_TIMEOUT=${TEMPORAL_START_TIMEOUT:-90}
TEMPORAL_BIN=${TEMPORAL_BIN:-$TOOLS_DIR/temporal}

# Keyword search attributes that the workflows set, so that operators can list them in the UI.
SEARCH_ATTRIBUTES=(
    UcmpushCustomer UcmpushSite UcmpushCluster UcmpushDirectory
    UcmpushUserID UcmpushTrigger UcmpushOutcome
)

set_paths() {
    TEMPORAL_DIR="$STACK_DIR/temporal"
    PIDFILE="$TEMPORAL_DIR/temporal.pid"
    ENV_FILE="$STACK_DIR/temporal.env"
    LOG="$LOG_DIR/temporal.log"
    # The codec endpoint that the running Web UI calls, as recorded by start.
    UI_CODEC_FILE="$TEMPORAL_DIR/ui-codec-endpoint"
}

# codec_endpoint prints the endpoint of the codec server of codec.sh, and fails when it does
# not run.
codec_endpoint() {
    is_running codec && env_get "$STACK_DIR/codec.env" UCMPUSH_CODEC_ENDPOINT
}

# check_ui_codec prints a hint when the codec server runs but the running Web UI was started
# without it or with another endpoint, because the dev server reads the endpoint at start only.
check_ui_codec() {
    local endpoint recorded state start="deploy/stack/temporal.sh start"

    endpoint=$(codec_endpoint) || return 0
    recorded=$(cat "$UI_CODEC_FILE" 2>/dev/null) || recorded=""
    [[ $recorded != "$endpoint" ]] || return 0

    # A restart without TEMPORAL_DB_FILE would start with an empty in-memory database.
    state=$(running_state)
    if [[ $state == "state in "* ]]; then
        start="TEMPORAL_DB_FILE=${state#state in } $start"
    fi
    say "$SVC" "note: the Web UI does not use the codec server $endpoint, so it shows" \
        "encrypted payloads; restart it with deploy/stack/temporal.sh stop, then $start"
}

# cli_version_ok succeeds when TEMPORAL_BIN was built from the CLI module at CLI_VERSION. A
# binary from `go install` reports 0.0.0-DEV in `temporal --version`, so the module version is
# read from its build information instead. Without Go the binary is taken as it is.
cli_version_ok() {
    command -v go >/dev/null || return 0
    go version -m "$TEMPORAL_BIN" 2>/dev/null |
        grep -qE "^\s+mod\s+${CLI_MODULE}\s+${CLI_VERSION}(\s|$)"
}

# ensure_cli builds the Temporal CLI into TOOLS_DIR when it is missing or another version.
# A lock keeps two scripts from building it at the same time; the second one waits and then
# finds the binary. v1.9.1, the only later version on the Go module proxy, has a replace
# directive in its go.mod, which `go install module@version` rejects.
ensure_cli() {
    local build_log started

    if [[ $TEMPORAL_BIN != "$TOOLS_DIR/temporal" ]]; then
        [[ -x $TEMPORAL_BIN ]] || die "$SVC" "TEMPORAL_BIN=$TEMPORAL_BIN is not an executable file"
        return 0
    fi

    find_go "$SVC"
    if [[ -x $TEMPORAL_BIN ]] && cli_version_ok; then
        return 0
    fi

    mkdir -p "$TOOLS_DIR" "$LOG_DIR"
    exec 9>"$TOOLS_DIR/.temporal-build.lock"
    flock 9
    if [[ -x $TEMPORAL_BIN ]] && cli_version_ok; then
        exec 9>&-
        return 0
    fi

    build_log="$LOG_DIR/temporal-build.log"
    started=$(now_ms)
    say "$SVC" "building the Temporal CLI $CLI_VERSION into $TOOLS_DIR (about 3 minutes on 2" \
        "cores without a warm Go build cache); output in $build_log"
    if ! (cd "$TOOLS_DIR" &&
        GOBIN="$TOOLS_DIR" go install "$CLI_MODULE/cmd/temporal@$CLI_VERSION") >"$build_log" 2>&1
    then
        show_log_tail "$build_log"
        die "$SVC" "building the Temporal CLI failed; read $build_log (the Go module proxy" \
            "must be reachable)"
    fi
    exec 9>&-
    say "$SVC" "built $TEMPORAL_BIN in $(seconds_since "$started")"
}

# server_ready succeeds when the frontend reports SERVING and the Web UI responds to HTTP.
server_ready() {
    local port=$1 ui_port=$2 health

    health=$("$TEMPORAL_BIN" operator cluster health --address "127.0.0.1:$port" \
        --command-timeout 2s 2>&1) || {
        CHECK_ERROR="cluster health: ${health##*$'\n'}"
        return 1
    }
    if [[ $health != *SERVING* ]]; then
        CHECK_ERROR="cluster health: $health"
        return 1
    fi

    if ! curl -s -o /dev/null --max-time 2 "http://127.0.0.1:$ui_port/"; then
        CHECK_ERROR="the Web UI on 127.0.0.1:$ui_port does not respond to HTTP"
        return 1
    fi
}

# running_ports prints the gRPC and UI ports recorded in the env file of the running server.
running_ports() {
    local address ui_url

    address=$(env_get "$ENV_FILE" TEMPORAL_ADDRESS) || address="127.0.0.1:$TEMPORAL_PORT"
    ui_url=$(env_get "$ENV_FILE" TEMPORAL_UI_URL) || ui_url="http://127.0.0.1:$TEMPORAL_UI_PORT"
    printf '%s %s\n' "${address##*:}" "${ui_url##*:}"
}

# running_state prints where the running server keeps its state, as recorded by start.
running_state() {
    cat "$TEMPORAL_DIR/state" 2>/dev/null || echo "state unknown"
}

cmd_start() {
    local pid port ui_port name started db_file state="in memory" ui_codec="" codec_note=""
    local -a args

    stack_init
    set_paths
    mkdir -p "$TEMPORAL_DIR"
    if pid=$(read_pid "$PIDFILE" temporal); then
        read -r port ui_port < <(running_ports)
        say "$SVC" "already running (pid $pid) on 127.0.0.1:$port, $(running_state)"
        check_ui_codec
        return 0
    fi

    check_port_free "$SVC" "$TEMPORAL_PORT" TEMPORAL_PORT
    check_port_free "$SVC" "$TEMPORAL_UI_PORT" TEMPORAL_UI_PORT
    command -v curl >/dev/null || die "$SVC" "curl is missing; install the Debian package curl"
    ensure_cli

    args=(server start-dev --ip 127.0.0.1 --port "$TEMPORAL_PORT"
        --ui-ip 127.0.0.1 --ui-port "$TEMPORAL_UI_PORT" --namespace default --log-level warn)
    for name in "${SEARCH_ATTRIBUTES[@]}"; do
        args+=(--search-attribute "$name=Keyword")
    done
    if [[ -n ${TEMPORAL_DB_FILE:-} ]]; then
        mkdir -p "$(dirname "$TEMPORAL_DB_FILE")"
        db_file=$(cd "$(dirname "$TEMPORAL_DB_FILE")" && pwd)/$(basename "$TEMPORAL_DB_FILE")
        args+=(--db-filename "$db_file")
        state="state in $db_file"
    fi
    if ui_codec=$(codec_endpoint); then
        args+=(--ui-codec-endpoint "$ui_codec")
        codec_note=", UI decodes payloads through $ui_codec"
    fi

    # The server runs in TEMPORAL_DIR so that anything it writes beside itself stays there.
    started=$(now_ms)
    (cd "$TEMPORAL_DIR" && spawn "$LOG" "$TEMPORAL_BIN" "${args[@]}" &&
        write_pidfile "$PIDFILE" "$SPAWNED_PID" "$TEMPORAL_BIN")
    pid=$(head -n 1 "$PIDFILE")
    printf '%s\n' "$state" >"$TEMPORAL_DIR/state"
    printf '%s\n' "$ui_codec" >"$UI_CODEC_FILE"
    wait_ready "$SVC" "$pid" "$TEMPORAL_START_TIMEOUT" "$LOG" \
        server_ready "$TEMPORAL_PORT" "$TEMPORAL_UI_PORT"

    write_env_file "$ENV_FILE" "$SVC" \
        "TEMPORAL_ADDRESS=127.0.0.1:$TEMPORAL_PORT" \
        "TEMPORAL_NAMESPACE=default" \
        "TEMPORAL_UI_URL=http://127.0.0.1:$TEMPORAL_UI_PORT" \
        "# Dev server $state."
    say "$SVC" "started (pid $pid) in $(seconds_since "$started") on 127.0.0.1:$TEMPORAL_PORT," \
        "UI http://127.0.0.1:$TEMPORAL_UI_PORT, $state$codec_note"
}

cmd_stop() {
    stack_init
    set_paths
    stop_pid "$SVC" "$PIDFILE" temporal TERM 30
    rm -f "$ENV_FILE" "$TEMPORAL_DIR/state" "$UI_CODEC_FILE"
}

cmd_status() {
    local pid port ui_port ui_codec

    stack_init
    set_paths
    if ! pid=$(read_pid "$PIDFILE" temporal); then
        say "$SVC" "stopped"
        return "$STATUS_STOPPED"
    fi

    read -r port ui_port < <(running_ports)
    if ! server_ready "$port" "$ui_port"; then
        say "$SVC" "running (pid $pid) but not responding: $CHECK_ERROR; read $LOG"
        return "$STATUS_NOT_RESPONDING"
    fi
    ui_codec=$(cat "$UI_CODEC_FILE" 2>/dev/null) || ui_codec=""
    say "$SVC" "running (pid $pid) on 127.0.0.1:$port, UI http://127.0.0.1:$ui_port," \
        "$(running_state)${ui_codec:+, UI decodes payloads through $ui_codec}"
}

cmd_build() {
    stack_init
    ensure_cli
}

case ${1:-} in
start) cmd_start ;;
stop) cmd_stop ;;
status) cmd_status ;;
build) cmd_build ;;
*)
    printf 'usage: %s start|stop|status|build\n' "$0" >&2
    exit 2
    ;;
esac
