#!/usr/bin/env bash
# Runs the AXL simulator (deploy/axlsim), an in-memory stand-in for Cisco UCM's AXL API over
# HTTPS, on 127.0.0.1 only.
#
#   deploy/stack/axlsim.sh start|stop|status
#
# Environment: STACK_DIR (default <repo>/.devstack), AXL_PORT (default 8443), AXL_USERNAME
# (default axladmin), AXL_LATENCY (passed to --latency when set), AXL_MAX_IN_FLIGHT (passed to
# --max-in-flight when set), AXLSIM_BIN (a simulator binary to run instead of building
# ./deploy/axlsim into <repo>/.tools/axlsim), AXLSIM_START_TIMEOUT in seconds (default 30).
#
# The password is generated once into STACK_DIR/axlsim/password. The simulator writes its
# self-signed certificate to STACK_DIR/axlsim/cert.pem and a copy of every request under
# STACK_DIR/axl-requests. `start` writes STACK_DIR/axlsim.env with AXL_URL, AXL_USERNAME,
# AXL_PASSWORD, AXL_PASSWORD_FILE and AXL_CA_FILE.
set -euo pipefail

# shellcheck source=deploy/stack/lib.sh
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

SVC=axlsim
AXL_PORT=${AXL_PORT:-8443}
AXL_USERNAME=${AXL_USERNAME:-axladmin}
AXLSIM_START_TIMEOUT=${AXLSIM_START_TIMEOUT:-30}

set_paths() {
    AXL_DIR="$STACK_DIR/axlsim"
    PIDFILE="$AXL_DIR/axlsim.pid"
    PASSWORD_FILE="$AXL_DIR/password"
    CERT_FILE="$AXL_DIR/cert.pem"
    RECORD_DIR="$STACK_DIR/axl-requests"
    ENV_FILE="$STACK_DIR/axlsim.env"
    LOG="$LOG_DIR/axlsim.log"
}

# build_simulator sets AXLSIM_BIN, building ./deploy/axlsim on every start unless AXLSIM_BIN is
# given. The Go build cache makes a rebuild of unchanged code take about a second, and the
# binary always matches the checkout.
build_simulator() {
    local build_log="$LOG_DIR/axlsim-build.log"

    if [[ -n ${AXLSIM_BIN:-} ]]; then
        [[ -x $AXLSIM_BIN ]] || die "$SVC" "AXLSIM_BIN=$AXLSIM_BIN is not an executable file"
        return 0
    fi

    if [[ ! -d $REPO_DIR/deploy/axlsim ]] || ! compgen -G "$REPO_DIR/deploy/axlsim/*.go" >/dev/null
    then
        die "$SVC" "the simulator command is missing: $REPO_DIR/deploy/axlsim has no Go files;" \
            "check out a revision that has it, or set AXLSIM_BIN to a built simulator"
    fi

    find_go "$SVC"
    mkdir -p "$TOOLS_DIR"
    if ! (cd "$REPO_DIR" && go build -o "$TOOLS_DIR/axlsim" ./deploy/axlsim) >"$build_log" 2>&1
    then
        show_log_tail "$build_log"
        die "$SVC" "building ./deploy/axlsim failed; read $build_log"
    fi
    AXLSIM_BIN="$TOOLS_DIR/axlsim"
}

# simulator_ready succeeds once the certificate exists and an HTTPS request that verifies it
# gets any HTTP response from /axl/.
simulator_ready() {
    local port=$1 output

    if [[ ! -s $CERT_FILE ]]; then
        CHECK_ERROR="no certificate in $CERT_FILE yet"
        return 1
    fi

    if ! output=$(curl -sS -o /dev/null --max-time 2 --cacert "$CERT_FILE" \
        "https://127.0.0.1:$port/axl/" 2>&1); then
        CHECK_ERROR="curl: $output"
        return 1
    fi
}

running_port() {
    local url

    url=$(env_get "$ENV_FILE" AXL_URL) || url="https://127.0.0.1:$AXL_PORT/axl/"
    url=${url#https://127.0.0.1:}
    printf '%s\n' "${url%%/*}"
}

cmd_start() {
    local pid started build_started build_note="" password
    local -a args

    stack_init
    set_paths
    mkdir -p "$AXL_DIR" "$RECORD_DIR"
    if pid=$(read_pid "$PIDFILE" axlsim); then
        say "$SVC" "already running (pid $pid) on https://127.0.0.1:$(running_port)/axl/"
        return 0
    fi

    check_port_free "$SVC" "$AXL_PORT" AXL_PORT
    command -v curl >/dev/null || die "$SVC" "curl is missing; install the Debian package curl"
    build_started=$(now_ms)
    if [[ -n ${AXLSIM_BIN:-} ]]; then
        build_note="prebuilt $AXLSIM_BIN"
    fi
    build_simulator
    build_note=${build_note:-build $(seconds_since "$build_started")}
    password=$(ensure_secret "$PASSWORD_FILE")

    args=(--listen "127.0.0.1:$AXL_PORT" --username "$AXL_USERNAME"
        --password-file "$PASSWORD_FILE" --cert-out "$CERT_FILE" --record-dir "$RECORD_DIR")
    if [[ -n ${AXL_LATENCY:-} ]]; then
        args+=(--latency "$AXL_LATENCY")
    fi
    if [[ -n ${AXL_MAX_IN_FLIGHT:-} ]]; then
        args+=(--max-in-flight "$AXL_MAX_IN_FLIGHT")
    fi

    # A certificate left by an earlier run would pass the readiness check too early.
    rm -f "$CERT_FILE"
    started=$(now_ms)
    (cd "$AXL_DIR" && spawn "$LOG" "$AXLSIM_BIN" "${args[@]}" &&
        write_pidfile "$PIDFILE" "$SPAWNED_PID" "$AXLSIM_BIN")
    pid=$(head -n 1 "$PIDFILE")
    wait_ready "$SVC" "$pid" "$AXLSIM_START_TIMEOUT" "$LOG" simulator_ready "$AXL_PORT"

    write_env_file "$ENV_FILE" "$SVC" \
        "AXL_URL=https://127.0.0.1:$AXL_PORT/axl/" \
        "AXL_USERNAME=$AXL_USERNAME" \
        "AXL_PASSWORD=$password" \
        "AXL_PASSWORD_FILE=$PASSWORD_FILE" \
        "AXL_CA_FILE=$CERT_FILE"
    say "$SVC" "started (pid $pid) in $(seconds_since "$started") ($build_note) on" \
        "https://127.0.0.1:$AXL_PORT/axl/, requests recorded in $RECORD_DIR"
}

cmd_stop() {
    stack_init
    set_paths
    stop_pid "$SVC" "$PIDFILE" axlsim TERM 15
    rm -f "$ENV_FILE"
}

cmd_status() {
    local pid port

    stack_init
    set_paths
    if ! pid=$(read_pid "$PIDFILE" axlsim); then
        say "$SVC" "stopped"
        return "$STATUS_STOPPED"
    fi

    port=$(running_port)
    if ! simulator_ready "$port"; then
        say "$SVC" "running (pid $pid) but not responding: $CHECK_ERROR; read $LOG"
        return "$STATUS_NOT_RESPONDING"
    fi
    say "$SVC" "running (pid $pid) on https://127.0.0.1:$port/axl/"
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
