#!/bin/sh
# Runs once, when the TimescaleDB volume is first created (docker-entrypoint-initdb.d):
# a login role that can only read, for Grafana. Tables created later by the
# app's migrations are covered by the default privileges.
set -eu
psql -v ON_ERROR_STOP=1 --username "$POSTGRES_USER" --dbname "$POSTGRES_DB" \
  -v pw="$GRAFANA_DB_PASSWORD" <<'SQL'
CREATE ROLE grafana_reader LOGIN PASSWORD :'pw';
GRANT CONNECT ON DATABASE venue_twin TO grafana_reader;
GRANT USAGE ON SCHEMA public TO grafana_reader;
GRANT SELECT ON ALL TABLES IN SCHEMA public TO grafana_reader;
ALTER DEFAULT PRIVILEGES FOR ROLE venue_twin IN SCHEMA public
  GRANT SELECT ON TABLES TO grafana_reader;
SQL
