#!/bin/sh
# Creates the Temporal namespace NAMESPACE with RETENTION when it does not exist yet (run by
# the temporal-namespace service once the server is healthy).
set -eu

attempt=0
until temporal operator cluster health --address "$TEMPORAL_ADDRESS"; do
    attempt=$((attempt + 1))
    if [ "$attempt" -ge 30 ]; then
        echo "Temporal at $TEMPORAL_ADDRESS is not healthy after 30 attempts" >&2
        exit 1
    fi
    sleep 2
done

if temporal operator namespace describe --address "$TEMPORAL_ADDRESS" -n "$NAMESPACE" >/dev/null 2>&1; then
    echo "Namespace $NAMESPACE exists"
else
    temporal operator namespace create --address "$TEMPORAL_ADDRESS" -n "$NAMESPACE" \
        --retention "$RETENTION"
    echo "Created namespace $NAMESPACE"
fi
