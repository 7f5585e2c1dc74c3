#!/usr/bin/env bash
# Starts the services named on the command line, in the order given, or by default all of
# them in the order postgres, codec, temporal, slapd, axlsim:
#
#   deploy/stack/up.sh [postgres] [codec] [temporal] [slapd] [axlsim]
#
# Each service script's `start` is a no-op for a running service, so running this twice is
# safe. Afterwards STACK_DIR/env contains the settings of every running service; load them with
# `. .devstack/env`. Each service takes its own environment variables (ports and the like); see
# the header of deploy/stack/<service>.sh.
set -euo pipefail

# shellcheck source=deploy/stack/lib.sh
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

# summary_line SVC prints the service's address from its env file, with passwords left out.
summary_line() {
    local env="$STACK_DIR/$1.env" url

    case $1 in
    postgres)
        url=$(env_get "$env" DATABASE_URL) || url="?"
        url=$(printf '%s\n' "$url" | sed -E 's#(://[^:/@]+):[^@]*@#\1@#')
        printf '  %-9s %s (password in %s/postgres/password)\n' "$1" "$url" "$STACK_DIR"
        ;;
    temporal)
        printf '  %-9s %s, Web UI %s\n' "$1" "$(env_get "$env" TEMPORAL_ADDRESS || echo "?")" \
            "$(env_get "$env" TEMPORAL_UI_URL || echo "?")"
        ;;
    slapd)
        printf '  %-9s %s and %s, base %s\n' "$1" "$(env_get "$env" LDAP_URL || echo "?")" \
            "$(env_get "$env" LDAPS_URL || echo "?")" "$(env_get "$env" LDAP_BASE_DN || echo "?")"
        ;;
    axlsim)
        printf '  %-9s %s as %s\n' "$1" "$(env_get "$env" AXL_URL || echo "?")" \
            "$(env_get "$env" AXL_USERNAME || echo "?")"
        ;;
    codec)
        printf '  %-9s %s, key file %s\n' "$1" \
            "$(env_get "$env" UCMPUSH_CODEC_ENDPOINT || echo "?")" \
            "$(env_get "$env" UCMPUSH_CODEC_KEY_FILE || echo "?")"
        ;;
    esac
}

main() {
    local svc script
    local -a services=("$@")

    if ((${#services[@]} == 0)); then
        services=("${STACK_SERVICES[@]}")
    fi
    for svc in "${services[@]}"; do
        if [[ " ${STACK_SERVICES[*]} " != *" $svc "* ]]; then
            die up "unknown service '$svc'; expected some of: ${STACK_SERVICES[*]}"
        fi
        [[ -f $STACK_SCRIPTS_DIR/$svc.sh ]] ||
            die up "$STACK_SCRIPTS_DIR/$svc.sh is missing; this checkout cannot start $svc"
    done

    stack_init
    for svc in "${services[@]}"; do
        script="$STACK_SCRIPTS_DIR/$svc.sh"
        bash "$script" start || die up "starting $svc failed (see above); the services started" \
            "before it keep running, and deploy/stack/down.sh stops them"
    done

    write_combined_env
    printf 'stack ready in %s:\n' "$STACK_DIR"
    for svc in "${services[@]}"; do
        summary_line "$svc"
    done
    printf '  load the settings with: . %s/env\n' "$STACK_DIR"
}

main "$@"
