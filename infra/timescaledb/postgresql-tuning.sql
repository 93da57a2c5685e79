-- Run once by the TimescaleDB image at first start (docker-entrypoint-initdb.d).
-- venue-twin's own migrations create the extension, hypertable and policies.
CREATE EXTENSION IF NOT EXISTS timescaledb;
