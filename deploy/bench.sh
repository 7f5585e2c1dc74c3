#!/usr/bin/env bash
# `make bench`: measures ucmpush on a stack of its own and prints one line per figure, then the
# ratios against the goals (see docs/benchmarks.md). It takes about 10 minutes on 2 cores.
#
#   deploy/bench.sh [bench flags]   for example deploy/bench.sh -skip-large
#
# The stack (PostgreSQL, an in-memory Temporal dev server and slapd) lives in BENCH_DIR/.devstack
# (default /tmp/ucmpush-bench/.devstack) on ports of its own, so it never touches the stack that
# `make demo` and `make test` run on the default ports. Set BENCH_PG_PORT (default 55532),
# BENCH_TEMPORAL_PORT (57233; its Web UI takes the port 1000 above) and BENCH_LDAP_PORT and
# BENCH_LDAPS_PORT (53389, 53636) when those are taken. The bench serves UCM with in-process AXL
# simulators, so no simulator service runs.
#
# The stack is stopped on exit, whether the bench passed or not. The figures are also written to
# BENCH_DIR/bench-<date>.txt. The exit status is the bench program's: 1 when a measurement could
# not be taken, 0 otherwise, also when a goal is missed (the ratios mark it MISSED).
set -euo pipefail

cd "$(dirname "${BASH_SOURCE[0]}")/.."
PATH=$PATH:/usr/local/go/bin

BENCH_DIR=${BENCH_DIR:-/tmp/ucmpush-bench}
export STACK_DIR=$BENCH_DIR/.devstack
export PG_PORT=${BENCH_PG_PORT:-55532}
export TEMPORAL_PORT=${BENCH_TEMPORAL_PORT:-57233}
export TEMPORAL_UI_PORT=$((TEMPORAL_PORT + 1000))
export LDAP_PORT=${BENCH_LDAP_PORT:-53389}
export LDAPS_PORT=${BENCH_LDAPS_PORT:-53636}
# The simulator service does not run, but nothing should fall back to the default stack's port.
export AXL_PORT=${BENCH_AXL_PORT:-58443}
# The throughput budget in the design notes is for the in-memory dev server.
unset TEMPORAL_DB_FILE

stop_stack() {
    deploy/stack/down.sh >&2 ||
        echo "bench.sh: stopping the bench stack failed; stop it with STACK_DIR=$STACK_DIR" \
            "PG_PORT=$PG_PORT deploy/stack/down.sh" >&2
}

mkdir -p "$BENCH_DIR/bin"
trap stop_stack EXIT
deploy/stack/up.sh postgres temporal slapd >&2

set -a
# shellcheck source=/dev/null
source "$STACK_DIR/env"
set +a

go build -o "$BENCH_DIR/bin/" ./worker/cmd/ucmpush-worker ./internal/bench
for count in 10000 100000; do
    go run ./deploy/sampledir -count "$count" >"$BENCH_DIR/people-$count.ldif"
done

out="$BENCH_DIR/bench-$(date +%Y%m%dT%H%M%S).txt"
"$BENCH_DIR/bin/bench" -worker-bin "$BENCH_DIR/bin/ucmpush-worker" \
    -ldif-small "$BENCH_DIR/people-10000.ldif" -ldif-large "$BENCH_DIR/people-100000.ldif" "$@" |
    tee "$out"
echo "bench.sh: figures written to $out" >&2
