#!/bin/sh
# Creates Temporal's two PostgreSQL databases on first start and brings their schemas up to
# the version of this admin-tools image on every start (run by the temporal-schema service).
set -eu

SQL_PASSWORD=$(cat /run/secrets/temporal_db_password)
export SQL_PASSWORD

echo "Waiting for ${POSTGRES_SEEDS}:${DB_PORT}"
until nc -z -w 5 "$POSTGRES_SEEDS" "$DB_PORT"; do
    sleep 2
done

schema_dir=/etc/temporal/schema/postgresql/v12

# sql DATABASE ARGS... runs temporal-sql-tool on one of the two databases.
sql() {
    db=$1
    shift
    temporal-sql-tool --plugin "$DB" --ep "$POSTGRES_SEEDS" -p "$DB_PORT" -u "$POSTGRES_USER" \
        --db "$db" "$@"
}

for pair in temporal:temporal temporal_visibility:visibility; do
    db=${pair%%:*}
    echo "Setting up database $db"
    sql "$db" create
    sql "$db" setup-schema -v 0.0
    sql "$db" update-schema -d "$schema_dir/${pair#*:}/versioned"
done
echo "Temporal schemas are current"
