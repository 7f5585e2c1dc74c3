#!/bin/sh
# Writes the secret files that compose.yaml mounts into ./secrets, next to this script. The
# database passwords are random; axl-password and ldap-password get a placeholder to replace
# with the real credentials. Existing files are left alone, so a second run changes nothing.
set -eu

cd "$(dirname "$0")"
umask 077
mkdir -p secrets

random() {
    od -An -N24 -tx1 /dev/urandom | tr -d ' \n'
}

# write NAME VALUE creates secrets/NAME unless it exists. Compose bind-mounts each file with
# its host mode, and the containers run as other users (postgres, temporal, 65532), so the
# file is readable by all. The secrets folder itself stays private to its owner.
write() {
    if [ -e "secrets/$1" ]; then
        echo "secrets/$1 exists, left as it is"
        return
    fi
    printf '%s\n' "$2" >"secrets/$1"
    chmod 0644 "secrets/$1"
    echo "wrote secrets/$1"
}

write temporal-db-password "$(random)"
write ucmpush-db-password "$(random)"
# The URL carries the password that the ucmpush-db container is created with.
write database-url "postgres://ucmpush:$(cat secrets/ucmpush-db-password)@ucmpush-db:5432/ucmpush?sslmode=disable"
write axl-password "replace-with-the-axl-password"
# The payload encryption key (KEYID:BASE64 of 32 random bytes). The worker rejects a key file
# that any user may read, so this one is readable by its owner and the group of the
# container's user 65532 only.
if [ ! -e secrets/codec-keys ]; then
    printf 'compose-%s:%s\n' "$(date +%Y%m%d)" "$(head -c 32 /dev/urandom | base64)" >secrets/codec-keys
    chgrp 65532 secrets/codec-keys && chmod 0640 secrets/codec-keys
    echo "wrote secrets/codec-keys"
fi
write ldap-password "replace-with-the-ldap-bind-password"
chmod 0700 secrets
