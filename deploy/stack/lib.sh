# shellcheck shell=bash disable=SC2034
# Shared functions for the deploy/stack service scripts. Source this file; it is not a command.
#
# Sourcing sets REPO_DIR (the checkout that contains this file), TOOLS_DIR (<repo>/.tools),
# STACK_DIR (default <repo>/.devstack, overridable by the environment) and LOG_DIR
# (STACK_DIR/logs). Call stack_init before writing anything under STACK_DIR.

STACK_SCRIPTS_DIR=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
REPO_DIR=$(cd "$STACK_SCRIPTS_DIR/../.." && pwd)
TOOLS_DIR="$REPO_DIR/.tools"
STACK_DIR="${STACK_DIR:-$REPO_DIR/.devstack}"
LOG_DIR="$STACK_DIR/logs"

# The services this folder manages, in start order. down.sh stops them in reverse. codec comes
# before temporal, which hands the codec server's endpoint to the Web UI at start.
STACK_SERVICES=(postgres codec temporal slapd axlsim)

# Exit codes of `<svc>.sh status`, after the LSB convention for init scripts.
STATUS_RUNNING=0
STATUS_NOT_RESPONDING=1
STATUS_STOPPED=3

# stack_init creates STACK_DIR and LOG_DIR and makes STACK_DIR absolute, because the services
# run with another working directory than the caller.
stack_init() {
    mkdir -p "$STACK_DIR" "$STACK_DIR/logs"
    STACK_DIR=$(cd "$STACK_DIR" && pwd)
    LOG_DIR="$STACK_DIR/logs"
}

# say SVC MESSAGE... prints one progress line on stdout, the words of MESSAGE joined by spaces.
say() {
    local svc=$1
    shift

    printf '%s: %s\n' "$svc" "$*"
}

# die SVC MESSAGE... prints an error on stderr and exits with status 1.
die() {
    local svc=$1
    shift

    printf '%s: error: %s\n' "$svc" "$*" >&2
    exit 1
}

# show_log_tail LOG prints the last lines of a log file on stderr, indented, so a failed start
# shows its cause without a second command.
show_log_tail() {
    local log=$1

    if [[ -s $log ]]; then
        printf '  last lines of %s:\n' "$log" >&2
        tail -n 15 "$log" | sed 's/^/  | /' >&2
    fi
}

# now_ms prints the wall clock in milliseconds, for start and stop timings.
now_ms() {
    local ns
    ns=$(date +%s%N)
    printf '%s\n' $((ns / 1000000))
}

# seconds_since START_MS prints the time since START_MS in seconds with one decimal.
seconds_since() {
    local ms=$(($(now_ms) - $1))
    printf '%d.%ds\n' $((ms / 1000)) $((ms % 1000 / 100))
}

# process_alive PID succeeds when PID is a live process. A zombie counts as gone: it has exited
# and only waits for its parent to reap it.
process_alive() {
    local state

    [[ -r /proc/$1/stat ]] || return 1
    state=$(sed 's/^.*) //' "/proc/$1/stat" 2>/dev/null | cut -d' ' -f1) || return 1
    [[ -n $state && $state != Z ]]
}

# write_pidfile PIDFILE PID PROGRAM records PID and the command name that Linux gives a process
# running PROGRAM: its file name cut to 15 bytes, as /proc/PID/comm shows it.
write_pidfile() {
    local name

    name=$(basename "$3")
    printf '%s\n%s\n' "$2" "${name:0:15}" >"$1"
}

# read_pid PIDFILE COMM prints the pid in PIDFILE when that process is alive and its command
# name (/proc/PID/comm) is the one recorded on the pidfile's second line, or COMM when there is
# none. It fails otherwise, so a pid reused by an unrelated process after a crash is never taken
# for the service. A stale pidfile is removed.
read_pid() {
    local pidfile=$1 comm=$2 pid recorded

    [[ -f $pidfile ]] || return 1
    pid=$(sed -n 1p "$pidfile")
    recorded=$(sed -n 2p "$pidfile")
    comm=${recorded:-$comm}
    if [[ $pid =~ ^[0-9]+$ ]] && process_alive "$pid" &&
        [[ $(cat "/proc/$pid/comm" 2>/dev/null) == "$comm" ]]; then
        printf '%s\n' "$pid"
        return 0
    fi

    rm -f "$pidfile"
    return 1
}

# port_in_use PORT succeeds when something accepts TCP connections on 127.0.0.1:PORT.
port_in_use() {
    (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null
}

# check_port_free SVC PORT VARIABLE exits with an error naming VARIABLE, the environment variable
# that moves the service to another port, when PORT on 127.0.0.1 is taken already.
check_port_free() {
    local svc=$1 port=$2 variable=$3

    if ! [[ $port =~ ^[0-9]+$ ]] || ((port < 1 || port > 65535)); then
        die "$svc" "invalid port $variable=$port: expected a number from 1 to 65535"
    fi

    if port_in_use "$port"; then
        die "$svc" "port 127.0.0.1:$port is already in use by another process; stop that" \
            "process or set $variable to a free port"
    fi
}

# spawn LOG COMMAND... starts COMMAND in the background in a session of its own (so a terminal
# hang-up or Ctrl-C in the caller's shell does not reach it), with stdin from /dev/null and
# stdout and stderr appended to LOG. It sets SPAWNED_PID. A background job of a non-interactive
# shell is not a process group leader, so setsid(1) execs in place and SPAWNED_PID is the pid of
# COMMAND itself. read_pid checks /proc/PID/comm to be sure.
spawn() {
    local log=$1
    shift

    setsid "$@" </dev/null >>"$log" 2>&1 &
    SPAWNED_PID=$!
}

# wait_ready SVC PID TIMEOUT LOG CHECK... runs the command CHECK every 0.2 s until it succeeds.
# It fails with an error that names LOG when PID exits first, or, after killing PID, when
# TIMEOUT seconds pass. CHECK may set CHECK_ERROR to say what it saw last.
wait_ready() {
    local svc=$1 pid=$2 timeout=$3 log=$4
    shift 4
    local deadline=$(($(now_ms) + timeout * 1000))

    CHECK_ERROR=""
    while ! "$@"; do
        if ! process_alive "$pid"; then
            show_log_tail "$log"
            die "$svc" "the server exited during start (pid $pid); read $log for the cause"
        fi

        if (($(now_ms) > deadline)); then
            kill -KILL "$pid" 2>/dev/null || true
            show_log_tail "$log"
            die "$svc" "the server did not respond within ${timeout}s" \
                "${CHECK_ERROR:+($CHECK_ERROR) }and was killed (pid $pid); read $log for the cause"
        fi

        sleep 0.2
    done
}

# stop_pid SVC PIDFILE COMM SIGNAL TIMEOUT [LAST_SIGNAL] sends SIGNAL to the process in PIDFILE
# and waits up to TIMEOUT seconds for it to exit, then sends LAST_SIGNAL (default KILL) and
# waits 10 s more. It touches no other process. A missing or stale pidfile means "not running".
stop_pid() {
    local svc=$1 pidfile=$2 comm=$3 signal=$4 timeout=$5 last_signal=${6:-KILL}
    local pid started deadline

    if ! pid=$(read_pid "$pidfile" "$comm"); then
        say "$svc" "not running"
        return 0
    fi

    started=$(now_ms)
    kill -"$signal" "$pid" 2>/dev/null || true
    deadline=$((started + timeout * 1000))
    while process_alive "$pid" && (($(now_ms) < deadline)); do
        sleep 0.2
    done

    if process_alive "$pid"; then
        printf '%s: pid %s still running %ss after SIG%s; sending SIG%s\n' \
            "$svc" "$pid" "$timeout" "$signal" "$last_signal" >&2
        kill -"$last_signal" "$pid" 2>/dev/null || true
        deadline=$(($(now_ms) + 10000))
        while process_alive "$pid" && (($(now_ms) < deadline)); do
            sleep 0.2
        done
    fi

    if process_alive "$pid"; then
        die "$svc" "pid $pid did not exit after SIG$last_signal; inspect it with 'ps -p $pid'"
    fi

    rm -f "$pidfile"
    say "$svc" "stopped (pid $pid) in $(seconds_since "$started")"
}

# env_line KEY VALUE prints KEY=VALUE for a shell, a Makefile include and a plain KEY=value
# parser alike. VALUE goes in single quotes only when it contains characters a shell would expand.
env_line() {
    local key=$1 value=$2

    if [[ $value =~ ^[A-Za-z0-9_./:@?=+,%-]*$ ]]; then
        printf '%s=%s\n' "$key" "$value"
    else
        printf "%s='%s'\n" "$key" "${value//\'/\'\\\'\'}"
    fi
}

# write_env_file FILE SVC KEY=VALUE... replaces FILE (mode 600, as it may hold passwords) with
# a comment header and one env_line per pair. Other lines starting with # are kept as comments.
write_env_file() {
    local file=$1 svc=$2 tmp pair
    shift 2

    tmp=$(mktemp "$file.XXXXXX")
    chmod 600 "$tmp"
    {
        printf '# %s settings, written by deploy/stack/%s.sh start and removed by stop.\n' \
            "$svc" "$svc"
        for pair in "$@"; do
            if [[ $pair == \#* ]]; then
                printf '%s\n' "$pair"
            else
                env_line "${pair%%=*}" "${pair#*=}"
            fi
        done
    } >"$tmp"
    mv -f "$tmp" "$file"
}

# env_get FILE KEY prints the value of KEY in an env file written by write_env_file, without
# running the file. It fails when the file or the key is missing.
env_get() {
    local file=$1 key=$2 line value

    [[ -f $file ]] || return 1
    line=$(grep -m 1 "^$key=" "$file") || return 1
    value=${line#*=}
    if [[ $value == \'*\' ]]; then
        value=${value:1:${#value}-2}
        value=${value//\'\\\'\'/\'}
    fi
    printf '%s\n' "$value"
}

# ensure_secret FILE prints the secret kept in FILE, creating FILE (mode 600) with 32 random hex
# digits the first time. Hex keeps the secret safe inside URLs and shell lines.
ensure_secret() {
    local file=$1 secret

    if [[ ! -s $file ]]; then
        secret=$(od -An -tx1 -N16 /dev/urandom | tr -d ' \n')
        (umask 077 && printf '%s\n' "$secret" >"$file.tmp")
        mv -f "$file.tmp" "$file"
    fi

    chmod 600 "$file"
    head -n 1 "$file"
}

# find_go SVC puts the Go toolchain on PATH, or exits with an error that tells how to get it.
find_go() {
    if command -v go >/dev/null; then
        return 0
    fi

    if [[ -x /usr/local/go/bin/go ]]; then
        PATH="/usr/local/go/bin:$PATH"
        return 0
    fi

    die "$1" "the Go toolchain is missing: install the Go version that go.mod names and put" \
        "its bin directory on PATH"
}

# is_running SVC succeeds when `deploy/stack/SVC.sh status` exits with 0, which means running
# and accepting requests. A service without a script counts as not running.
is_running() {
    local script="$STACK_SCRIPTS_DIR/$1.sh"

    [[ -f $script ]] && bash "$script" status >/dev/null 2>&1
}

# write_combined_env concatenates STACK_DIR/<svc>.env of every running service into
# STACK_DIR/env (mode 600), each followed by an export line, so that sourcing the file exports
# the settings to child processes. Without a running service it removes STACK_DIR/env.
write_combined_env() {
    local file svc tmp shown_dir line count=0
    local -a files=() keys

    tmp=$(mktemp "$STACK_DIR/env.XXXXXX")
    chmod 600 "$tmp"
    shown_dir=$STACK_DIR
    if [[ $STACK_DIR == "$REPO_DIR"/* ]]; then
        shown_dir=${STACK_DIR#"$REPO_DIR"/}
    fi
    {
        printf '# ucmpush dev stack: settings of the running services, from deploy/stack/up.sh.\n'
        # shellcheck disable=SC2016
        printf '# Load them into a shell with `. %s/env`; the export lines pass them on.\n' \
            "$shown_dir"
    } >"$tmp"

    # Known services first, in start order, then env files of any other service script.
    for svc in "${STACK_SERVICES[@]}"; do
        files+=("$STACK_DIR/$svc.env")
    done
    for file in "$STACK_DIR"/*.env; do
        [[ " ${files[*]} " == *" $file "* ]] || files+=("$file")
    done

    for file in "${files[@]}"; do
        [[ -f $file ]] || continue
        svc=$(basename "$file" .env)
        is_running "$svc" || continue

        keys=()
        while IFS= read -r line; do
            [[ $line =~ ^([A-Za-z_][A-Za-z0-9_]*)= ]] && keys+=("${BASH_REMATCH[1]}")
        done <"$file"
        ((${#keys[@]} > 0)) || continue

        {
            printf '\n'
            cat "$file"
            printf 'export %s\n' "${keys[*]}"
        } >>"$tmp"
        count=$((count + 1))
    done

    if ((count == 0)); then
        rm -f "$tmp" "$STACK_DIR/env"
        return 0
    fi
    mv -f "$tmp" "$STACK_DIR/env"
}
