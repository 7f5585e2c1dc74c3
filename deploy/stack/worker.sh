#!/usr/bin/env bash
# Runs the ucmpush worker (worker/cmd/ucmpush-worker) against the local stack.
#
#   deploy/stack/worker.sh start|stop|status
#
# start builds the worker into <repo>/.tools/ucmpush-worker and runs it with the settings of
# STACK_DIR/env (written by up.sh), so the other services must be running first. The worker
# reads the AXL and LDAP passwords from that environment (AXL_PASSWORD, LDAP_BIND_PASSWORD),
# which is where the demo's password references (env:...) point. It encrypts payloads with the
# key file of codec.sh (UCMPUSH_CODEC_KEY_FILE, default STACK_DIR/codec/keys), and refuses to
# start without one unless UCMPUSH_PLAIN_PAYLOADS=true. Its log is STACK_DIR/logs/worker.log.
# A worker started before a code change keeps running the old code: restart it with stop,
# then start.
set -euo pipefail

# shellcheck source=deploy/stack/lib.sh
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

SVC=worker
PIDFILE="$STACK_DIR/worker.pid"
LOG="$LOG_DIR/worker.log"
BIN="$TOOLS_DIR/ucmpush-worker"

# worker_ready succeeds once the log says the worker polls its task queue.
worker_ready() {
    grep -q 'Worker started' "$LOG" 2>/dev/null
}

# use_codec_key_file exports UCMPUSH_CODEC_KEY_FILE as the key file of codec.sh when neither it
# nor UCMPUSH_PLAIN_PAYLOADS is set, as when the codec server is stopped but its keys exist. It
# exits with an error when there is no key file, because the worker would refuse to start.
use_codec_key_file() {
    local key_file="$STACK_DIR/codec/keys"

    # The worker itself parses UCMPUSH_PLAIN_PAYLOADS and rejects a value that is not a boolean.
    if [[ -n ${UCMPUSH_CODEC_KEY_FILE:-} || -n ${UCMPUSH_PLAIN_PAYLOADS:-} ]]; then
        return 0
    fi

    [[ -s $key_file ]] || die "$SVC" "no codec key file: start deploy/stack/codec.sh, which" \
        "generates $key_file, or set UCMPUSH_PLAIN_PAYLOADS=true to keep personal data in" \
        "Temporal histories in clear text"
    export UCMPUSH_CODEC_KEY_FILE=$key_file
}

cmd_start() {
    local pid

    stack_init
    if pid=$(read_pid "$PIDFILE" ucmpush-worker); then
        say "$SVC" "already running (pid $pid); log $LOG"
        return 0
    fi
    [[ -f $STACK_DIR/env ]] || die "$SVC" "$STACK_DIR/env is missing; start the stack with deploy/stack/up.sh"

    find_go "$SVC"
    mkdir -p "$TOOLS_DIR"
    (cd "$REPO_DIR" && go build -o "$BIN" ./worker/cmd/ucmpush-worker) ||
        die "$SVC" "building ./worker/cmd/ucmpush-worker failed; see the compiler output above"

    : >"$LOG"
    set -a
    # shellcheck source=/dev/null
    source "$STACK_DIR/env"
    set +a
    use_codec_key_file
    spawn "$LOG" "$BIN"
    write_pidfile "$PIDFILE" "$SPAWNED_PID" "$BIN"
    wait_ready "$SVC" "$SPAWNED_PID" 60 "$LOG" worker_ready
    say "$SVC" "running (pid $SPAWNED_PID); log $LOG"
}

cmd_status() {
    local pid

    if pid=$(read_pid "$PIDFILE" ucmpush-worker); then
        say "$SVC" "running (pid $pid)"
        return "$STATUS_RUNNING"
    fi
    say "$SVC" "stopped"
    return "$STATUS_STOPPED"
}

case ${1:-} in
start) cmd_start ;;
stop) stop_pid "$SVC" "$PIDFILE" ucmpush-worker TERM 30 ;;
status) cmd_status ;;
*)
    printf 'usage: %s start|stop|status\n' "$0" >&2
    exit 2
    ;;
esac
