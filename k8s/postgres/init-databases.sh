#!/usr/bin/env bash
# Runs once, when the postgres image initialises an empty data directory
# (/docker-entrypoint-initdb.d, connected as the superuser through the local socket): one role
# and one database per service, so payment, store and marketing cannot read each other's data.
# The passwords are PAYMENT_DB_PASSWORD, STORE_DB_PASSWORD and MARKETING_DB_PASSWORD from the
# container's environment (the postgres-credentials Secret in Kubernetes, docker-compose.yml
# otherwise).
set -euo pipefail

for service in payment store marketing; do
  variable="${service^^}_DB_PASSWORD"
  password="${!variable:-}"
  if [[ -z $password ]]; then
    echo "init-databases.sh: $variable is not set" >&2
    exit 1
  fi
  psql --set=ON_ERROR_STOP=1 --no-psqlrc --username="${POSTGRES_USER:-postgres}" --dbname=postgres \
    --set=name="$service" --set=password="$password" <<'SQL'
CREATE ROLE :"name" LOGIN PASSWORD :'password';
CREATE DATABASE :"name" OWNER :"name";
REVOKE ALL ON DATABASE :"name" FROM PUBLIC;
SQL
done
