#!/usr/bin/env bash
# `make test`: lint, then every Go test, with the integration tests on the real stack.
#
# It starts PostgreSQL, the Temporal dev server and slapd (reusing them when `make demo` left
# them running), and runs `go test ./...` with the stack's settings in the environment and
# UCMPUSH_E2E=required, so an integration test that cannot reach a service fails instead of
# skipping. Each integration test makes its own database, LDAP subtree, task queue and
# in-process AXL simulator, so tests never see the demo's data. The stack stays up afterwards;
# .ci/run stops it.
set -euo pipefail

cd "$(dirname "${BASH_SOURCE[0]}")/.."
STACK_DIR=${STACK_DIR:-$PWD/.devstack}
export STACK_DIR

make --no-print-directory lint
deploy/stack/up.sh postgres temporal slapd

set -a
# shellcheck source=/dev/null
source "$STACK_DIR/env"
set +a
export UCMPUSH_E2E=required UCMPUSH_STACK_DIR="$STACK_DIR"

go test -count=1 -timeout 20m ./...
