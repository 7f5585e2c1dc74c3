#!/usr/bin/env bash
# `make demo`: sets up the local stack and runs the main job, LdapSyncThenPush, on it.
#
# It installs what the machine lacks, starts PostgreSQL, the Temporal dev server (with a file
# database, so workflows survive a restart), slapd and the AXL simulator, seeds slapd once with
# a generated sample directory, starts the worker, configures customer acme with two sites
# whose NDL names the simulated UCM (london with auto push on, paris with it off), and runs a
# sync through Temporal. The stack stays up; `make down` stops it. Running it again reuses
# everything and pushes nothing, because nothing changed.
#
# Environment: DEMO_PEOPLE (default 3000) sizes the sample directory on its first seeding.
set -euo pipefail

cd "$(dirname "${BASH_SOURCE[0]}")/.."
STACK_DIR=${STACK_DIR:-$PWD/.devstack}
export STACK_DIR
DEMO_DIR="$STACK_DIR/demo"
DEMO_PEOPLE=${DEMO_PEOPLE:-3000}

step() { printf '\n== %s\n' "$*"; }

step "Installing what this machine lacks"
deploy/stack/install-deps.sh

step "Starting the local stack"
TEMPORAL_DB_FILE=${TEMPORAL_DB_FILE:-$STACK_DIR/temporal/temporal.db} deploy/stack/up.sh
set -a
# shellcheck source=/dev/null
source "$STACK_DIR/env"
set +a

step "Building the ucmpush CLI"
mkdir -p .tools
go build -o .tools/ucmpush ./starter/cmd/ucmpush
ucmpush() { .tools/ucmpush "$@"; }

mkdir -p "$DEMO_DIR"
if [[ ! -f $DEMO_DIR/seeded ]]; then
    step "Seeding slapd with $DEMO_PEOPLE generated people"
    go run ./deploy/sampledir -count "$DEMO_PEOPLE" -base-dn "$LDAP_BASE_DN" -seed 1 \
        >"$DEMO_DIR/people.ldif"
    deploy/stack/slapd.sh seed "$DEMO_DIR/people.ldif"
    touch "$DEMO_DIR/seeded"
fi

step "Starting the worker"
deploy/stack/worker.sh start

step "Configuring customer acme"
ucmpush migrate
if ! ucmpush customer list -o json | grep -q '"name": "acme"'; then
    ucmpush customer add acme
    ucmpush cluster add ucm-lab --axl-url "$AXL_URL" --axl-version 14.0 \
        --username "$AXL_USERNAME" --password-ref env:AXL_PASSWORD --ca-file "$AXL_CA_FILE"
    ucmpush ndl add ndl-lab --cluster ucm-lab
    ucmpush site add acme/london --ndl ndl-lab --auto-push=on
    ucmpush site add acme/paris --ndl ndl-lab --auto-push=off
    # The sample directory's person without a surname is an account entry, not an
    # inetOrgPerson; (uid=*) reads it too, so the sync reports it as invalid.
    ucmpush directory add acme-ldap --customer acme --url "$LDAPS_URL" --ca-file "$LDAP_CA_FILE" \
        --base-dn "ou=people,$LDAP_BASE_DN" --filter '(uid=*)' --bind-dn "$LDAP_BIND_DN" \
        --bind-password-ref env:LDAP_BIND_PASSWORD
    ucmpush rule add acme/london --filter 'ou=London'
    ucmpush rule add acme/paris --filter 'ou=Paris'
fi
ucmpush site list

step "Running LdapSyncThenPush for directory acme-ldap"
writes_before=$(find "$STACK_DIR/axl-requests" -name '*-addUser.xml' -o -name '*-updateUser.xml' | wc -l)
ucmpush sync acme-ldap --wait
writes_after=$(find "$STACK_DIR/axl-requests" -name '*-addUser.xml' -o -name '*-updateUser.xml' | wc -l)

step "Where to look"
cat <<TEXT
  Temporal Web UI  $TEMPORAL_UI_URL (workflow sync/acme-ldap and its push/acme/london/... child)
  LDAP             $LDAPS_URL, base DN ou=people,$LDAP_BASE_DN (also $LDAP_URL)
  AXL simulator    $AXL_URL; the requests it received are in $STACK_DIR/axl-requests/
  AXL writes       $((writes_after - writes_before)) in this run
  Users            . .devstack/env && .tools/ucmpush users list --site acme/london
  Settings         $STACK_DIR/env (load with . .devstack/env); stop with make down
TEXT
