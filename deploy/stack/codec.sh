#!/usr/bin/env bash
# Runs the ucmpush codec server (worker/cmd/ucmpush-codec-server) on 127.0.0.1 only, so that
# the Temporal Web UI of the local stack shows the payloads that the worker encrypts.
#
#   deploy/stack/codec.sh start|stop|status
#
# Environment: STACK_DIR (default <repo>/.devstack), CODEC_PORT (default 8888),
# CODEC_CORS_ORIGIN (comma-separated browser origins allowed to call it; default the Web UI
# at http://127.0.0.1:PORT and http://localhost:PORT, where PORT is TEMPORAL_UI_PORT or
# TEMPORAL_PORT + 1000 as in temporal.sh), CODEC_BIN (a codec server binary to run instead of
# building ./worker/cmd/ucmpush-codec-server into <repo>/.tools/ucmpush-codec-server),
# CODEC_START_TIMEOUT in seconds (default 30).
#
# The first start generates the key file STACK_DIR/codec/keys (mode 600) with one key named
# local-YYYYMMDD; later starts keep it, so histories written before still decrypt, and stop
# leaves it. `start` writes STACK_DIR/codec.env with UCMPUSH_CODEC_KEY_FILE, which the worker
# and the CLI encrypt with, and UCMPUSH_CODEC_ENDPOINT. Start it before temporal.sh, which
# hands the endpoint to the Web UI.
set -euo pipefail

# shellcheck source=deploy/stack/lib.sh
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

SVC=codec
CODEC_PORT=${CODEC_PORT:-8888}
CODEC_START_TIMEOUT=${CODEC_START_TIMEOUT:-30}
# The Web UI port of temporal.sh, with the same default.
UI_PORT=${TEMPORAL_UI_PORT:-$((${TEMPORAL_PORT:-7233} + 1000))}
CODEC_CORS_ORIGIN=${CODEC_CORS_ORIGIN:-http://127.0.0.1:$UI_PORT,http://localhost:$UI_PORT}
# Linux shows a command name of at most 15 bytes in /proc/PID/comm.
COMM=ucmpush-codec-s

set_paths() {
    CODEC_DIR="$STACK_DIR/codec"
    PIDFILE="$CODEC_DIR/codec.pid"
    KEY_FILE="$CODEC_DIR/keys"
    ENV_FILE="$STACK_DIR/codec.env"
    LOG="$LOG_DIR/codec.log"
}

# build_server sets CODEC_BIN, building ./worker/cmd/ucmpush-codec-server on every start unless
# CODEC_BIN is given, so the binary always matches the checkout.
build_server() {
    local build_log="$LOG_DIR/codec-build.log"

    if [[ -n ${CODEC_BIN:-} ]]; then
        [[ -x $CODEC_BIN ]] || die "$SVC" "CODEC_BIN=$CODEC_BIN is not an executable file"
        return 0
    fi

    find_go "$SVC"
    mkdir -p "$TOOLS_DIR"
    if ! (cd "$REPO_DIR" &&
        go build -o "$TOOLS_DIR/ucmpush-codec-server" ./worker/cmd/ucmpush-codec-server) \
        >"$build_log" 2>&1; then
        show_log_tail "$build_log"
        die "$SVC" "building ./worker/cmd/ucmpush-codec-server failed; read $build_log"
    fi
    CODEC_BIN="$TOOLS_DIR/ucmpush-codec-server"
}

# ensure_key_file generates KEY_FILE with one new key when it is missing or empty, and keeps
# the key file mode 600, as the codec rejects a key file that group or others may read.
ensure_key_file() {
    local key_id

    if [[ ! -s $KEY_FILE ]]; then
        key_id="local-$(date -u +%Y%m%d)"
        if ! (umask 077 && "$CODEC_BIN" --generate-key "$key_id" >"$KEY_FILE.tmp"); then
            rm -f "$KEY_FILE.tmp"
            die "$SVC" "generating a codec key with $CODEC_BIN --generate-key failed"
        fi
        mv -f "$KEY_FILE.tmp" "$KEY_FILE"
        say "$SVC" "generated codec key $key_id into $KEY_FILE"
    fi

    chmod 600 "$KEY_FILE"
}

# server_ready succeeds once GET /healthz on PORT returns ok.
server_ready() {
    local port=$1 output

    if ! output=$(curl -sS --max-time 2 "http://127.0.0.1:$port/healthz" 2>&1); then
        CHECK_ERROR="curl: $output"
        return 1
    fi

    if [[ $output != ok ]]; then
        CHECK_ERROR="/healthz returned '$output'"
        return 1
    fi
}

# running_port prints the port recorded in the env file of the running server.
running_port() {
    local endpoint

    endpoint=$(env_get "$ENV_FILE" UCMPUSH_CODEC_ENDPOINT) ||
        endpoint="http://127.0.0.1:$CODEC_PORT"
    printf '%s\n' "${endpoint##*:}"
}

cmd_start() {
    local pid started
    local -a args

    stack_init
    set_paths
    (umask 077 && mkdir -p "$CODEC_DIR")
    chmod 700 "$CODEC_DIR"
    if pid=$(read_pid "$PIDFILE" "$COMM"); then
        say "$SVC" "already running (pid $pid) on http://127.0.0.1:$(running_port), keys in $KEY_FILE"
        return 0
    fi

    check_port_free "$SVC" "$CODEC_PORT" CODEC_PORT
    command -v curl >/dev/null || die "$SVC" "curl is missing; install the Debian package curl"
    build_server
    ensure_key_file

    args=(--listen "127.0.0.1:$CODEC_PORT" --key-file "$KEY_FILE"
        --cors-origin "$CODEC_CORS_ORIGIN")

    started=$(now_ms)
    (cd "$CODEC_DIR" && spawn "$LOG" "$CODEC_BIN" "${args[@]}" &&
        write_pidfile "$PIDFILE" "$SPAWNED_PID" "$CODEC_BIN")
    pid=$(head -n 1 "$PIDFILE")
    wait_ready "$SVC" "$pid" "$CODEC_START_TIMEOUT" "$LOG" server_ready "$CODEC_PORT"

    write_env_file "$ENV_FILE" "$SVC" \
        "UCMPUSH_CODEC_KEY_FILE=$KEY_FILE" \
        "UCMPUSH_CODEC_ENDPOINT=http://127.0.0.1:$CODEC_PORT" \
        "# Browser origins allowed: $CODEC_CORS_ORIGIN."
    say "$SVC" "started (pid $pid) in $(seconds_since "$started") on" \
        "http://127.0.0.1:$CODEC_PORT for $CODEC_CORS_ORIGIN, keys in $KEY_FILE"
}

cmd_stop() {
    stack_init
    set_paths
    stop_pid "$SVC" "$PIDFILE" "$COMM" TERM 15
    rm -f "$ENV_FILE"
}

cmd_status() {
    local pid port

    stack_init
    set_paths
    if ! pid=$(read_pid "$PIDFILE" "$COMM"); then
        say "$SVC" "stopped"
        return "$STATUS_STOPPED"
    fi

    port=$(running_port)
    if ! server_ready "$port"; then
        say "$SVC" "running (pid $pid) but not responding: $CHECK_ERROR; read $LOG"
        return "$STATUS_NOT_RESPONDING"
    fi
    say "$SVC" "running (pid $pid) on http://127.0.0.1:$port, keys in $KEY_FILE"
}

case ${1:-} in
start) cmd_start ;;
stop) cmd_stop ;;
status) cmd_status ;;
*)
    printf 'usage: %s start|stop|status\n' "$0" >&2
    exit 2
    ;;
esac
