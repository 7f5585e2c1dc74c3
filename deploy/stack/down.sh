#!/usr/bin/env bash
# Stops the local stack, or the services named on the command line, in reverse start order:
#
#   deploy/stack/down.sh [worker] [postgres] [codec] [temporal] [slapd] [axlsim]
#
# The worker of worker.sh stops first, because it needs every other service. It stops when it
# is named or when no name is given, so stopping one service to test an outage leaves it
# running.
#
# A service that is not running, or whose script is missing, is skipped, so running this twice
# is safe. It stops only the processes recorded in the services' pidfiles. Afterwards
# STACK_DIR/env lists the services still running, or is removed when none is.
set -euo pipefail

# shellcheck source=deploy/stack/lib.sh
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

main() {
    local svc i failed=0
    local -a services=() order=()

    for svc in "$@"; do
        if [[ $svc != worker && " ${STACK_SERVICES[*]} " != *" $svc "* ]]; then
            die down "unknown service '$svc'; expected some of: worker ${STACK_SERVICES[*]}"
        fi
    done

    if (($# == 0)) || [[ " $* " == *" worker "* ]]; then
        order+=(worker)
    fi

    for svc in "${STACK_SERVICES[@]}"; do
        if (($# == 0)) || [[ " $* " == *" $svc "* ]]; then
            services+=("$svc")
        fi
    done
    for ((i = ${#services[@]} - 1; i >= 0; i--)); do
        order+=("${services[i]}")
    done

    if [[ ! -d $STACK_DIR ]]; then
        say down "nothing to stop: $STACK_DIR does not exist"
        return 0
    fi

    stack_init
    for svc in "${order[@]}"; do
        if [[ ! -f $STACK_SCRIPTS_DIR/$svc.sh ]]; then
            say "$svc" "skipped: $STACK_SCRIPTS_DIR/$svc.sh is missing"
            continue
        fi
        bash "$STACK_SCRIPTS_DIR/$svc.sh" stop || failed=1
    done

    write_combined_env
    if ((failed)); then
        die down "some services failed to stop (see above)"
    fi
}

main "$@"
