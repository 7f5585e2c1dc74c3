#!/usr/bin/env bash
# Installs what the local stack and the tests need on Debian 12, skipping what is there:
# the Debian packages below, then the Temporal CLI into <repo>/.tools (deploy/stack/temporal.sh
# build). Run it as root. It prints one line when nothing was missing.
#
# Debian's slapd and postgresql packages may start system servers (slapd on port 389,
# PostgreSQL on 5432). They are left alone: the private servers of deploy/stack use other ports.
set -euo pipefail

# shellcheck source=deploy/stack/lib.sh
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

PACKAGES=(postgresql slapd ldap-utils libxml2-utils chromium openssl curl)

package_installed() {
    [[ $(dpkg-query -W -f='${db:Status-Status}' "$1" 2>/dev/null) == installed ]]
}

# install_packages installs the missing PACKAGES and sets INSTALLED=1 when it did.
install_packages() {
    local pkg log="$LOG_DIR/install-deps.log"
    local -a missing=()

    for pkg in "${PACKAGES[@]}"; do
        package_installed "$pkg" || missing+=("$pkg")
    done
    ((${#missing[@]} > 0)) || return 0

    ((EUID == 0)) || die install-deps "missing Debian packages ${missing[*]}; run this script" \
        "as root, or install them with apt-get"

    # noninteractive keeps debconf from asking slapd's questions (domain, admin password): the
    # package configures itself with defaults, and deploy/stack/slapd.sh uses none of them.
    say install-deps "installing ${missing[*]} with apt-get; output in $log"
    export DEBIAN_FRONTEND=noninteractive
    if ! apt-get update -q >>"$log" 2>&1; then
        show_log_tail "$log"
        die install-deps "apt-get update failed; read $log"
    fi
    if ! apt-get install -y -q -o Dpkg::Options::=--force-confdef \
        -o Dpkg::Options::=--force-confold "${missing[@]}" >>"$log" 2>&1; then
        show_log_tail "$log"
        die install-deps "apt-get install ${missing[*]} failed; read $log"
    fi
    INSTALLED=1
}

main() {
    INSTALLED=0
    stack_init
    install_packages

    # temporal.sh build prints only when it builds the CLI.
    find_go install-deps
    [[ -x $TOOLS_DIR/temporal ]] || INSTALLED=1
    bash "$STACK_SCRIPTS_DIR/temporal.sh" build

    if ((INSTALLED == 0)); then
        say install-deps "nothing to install: Debian packages, Go and the Temporal CLI are present"
    fi
}

main "$@"
