"""TimescaleDB 2.x set-up: detection and the DDL that turns ``readings`` into a hypertable.

Kept apart from the native path: everything here only runs when the
``timescaledb`` extension is installed (or installable) in the database. The
statements follow TimescaleDB 2.x's documented API:

- ``create_hypertable('sensor_readings', by_range('ts'), if_not_exists => TRUE,
  migrate_data => TRUE)`` (2.13+; older 2.x gets the classic
  ``create_hypertable('sensor_readings', 'ts', ...)``)
- ``ALTER TABLE sensor_readings SET (timescaledb.compress, timescaledb.compress_segmentby =
  'sid', timescaledb.compress_orderby = 'ts DESC')`` then ``add_compression_policy``
- ``add_retention_policy('sensor_readings', drop_after => ..., if_not_exists => TRUE)``
- continuous aggregates ``sensor_readings_1m`` / ``sensor_readings_1h`` per sensor id
  (``CREATE MATERIALIZED VIEW ... WITH (timescaledb.continuous)``) refreshed by
  ``add_continuous_aggregate_policy``, each with a plain view by name
  (``readings_1m`` / ``readings_1h``: bucket, venue, sensor, ...) for dashboards
  and ad-hoc SQL, as ``readings`` is for the raw rows (migration 0007).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta

__all__ = [
    "CONTINUOUS_AGGREGATES",
    "ContinuousAggregate",
    "TimescaleSettings",
    "parse_version",
    "setup_statements",
]


@dataclass(frozen=True, slots=True)
class ContinuousAggregate:
    view: str  # the view by name (venue, sensor); the aggregate itself is ``cagg``
    width_s: int
    # Refresh window and cadence for add_continuous_aggregate_policy.
    start_offset: str
    end_offset: str
    schedule_interval: str

    @property
    def cagg(self) -> str:
        """The continuous aggregate, keyed by sensor id (vid, sid)."""
        return f"sensor_{self.view}"


# The newest bucket is left to real-time aggregation (materialized_only = false),
# so the policy's end_offset can lag by one bucket without reads going stale.
CONTINUOUS_AGGREGATES = (
    ContinuousAggregate("readings_1m", 60, "2 hours", "1 minute", "1 minute"),
    ContinuousAggregate("readings_1h", 3600, "3 days", "1 hour", "30 minutes"),
)


@dataclass(frozen=True, slots=True)
class TimescaleSettings:
    compress_after: timedelta = timedelta(days=7)
    retain_for: timedelta = timedelta(days=365)


def parse_version(text: str) -> tuple[int, ...]:
    """``'2.14.2'`` -> ``(2, 14, 2)``; suffixes such as ``-dev`` are ignored."""
    parts: list[int] = []
    for piece in text.split("."):
        digits = "".join(ch for ch in piece if ch.isdigit())
        if not digits:
            break
        parts.append(int(digits))
    return tuple(parts)


def _interval(delta: timedelta) -> str:
    return f"INTERVAL '{int(delta.total_seconds())} seconds'"


def _hypertable(version: tuple[int, ...]) -> str:
    if version >= (2, 13):
        return (
            "SELECT create_hypertable('sensor_readings', by_range('ts', INTERVAL '1 day'), "
            "if_not_exists => TRUE, migrate_data => TRUE)"
        )
    return (
        "SELECT create_hypertable('sensor_readings', 'ts', "
        "chunk_time_interval => INTERVAL '1 day', "
        "if_not_exists => TRUE, migrate_data => TRUE)"
    )


def _continuous_aggregate(cagg: ContinuousAggregate) -> list[str]:
    # sum and count (not avg) so wider buckets can be rolled up exactly from these.
    # WITH DATA: made on a database converted by migration 0007, it covers the
    # history at once (a policy only reaches back start_offset).
    return [
        f"CREATE MATERIALIZED VIEW IF NOT EXISTS {cagg.cagg} "
        "WITH (timescaledb.continuous, timescaledb.materialized_only = false) AS "
        f"SELECT time_bucket(INTERVAL '{cagg.width_s} seconds', ts) AS bucket, vid, sid, "
        "min(value) AS vmin, max(value) AS vmax, sum(value) AS vsum, count(*) AS n "
        "FROM sensor_readings GROUP BY bucket, vid, sid WITH DATA",
        f"CREATE OR REPLACE VIEW {cagg.view} (bucket, venue, sensor, vmin, vmax, vsum, n) AS "
        "SELECT a.bucket, v.venue, s.sensor, a.vmin, a.vmax, a.vsum, a.n "
        f"FROM {cagg.cagg} AS a JOIN sensors AS s ON s.sid = a.sid "
        "JOIN venues AS v ON v.vid = a.vid",
        f"SELECT add_continuous_aggregate_policy('{cagg.cagg}', "
        f"start_offset => INTERVAL '{cagg.start_offset}', "
        f"end_offset => INTERVAL '{cagg.end_offset}', "
        f"schedule_interval => INTERVAL '{cagg.schedule_interval}', "
        "if_not_exists => TRUE)",
    ]


def setup_statements(
    version: tuple[int, ...], settings: TimescaleSettings, *, compression_enabled: bool
) -> list[str]:
    """The idempotent statements to run, in order, once the extension exists.

    ``compression_enabled`` is whether ``sensor_readings`` already has compression
    settings: re-issuing ``ALTER TABLE ... SET (timescaledb.compress ...)`` on a
    table with compressed chunks is an error, so it is only sent the first time.
    """
    statements = [_hypertable(version)]
    if not compression_enabled:
        statements.append(
            "ALTER TABLE sensor_readings SET (timescaledb.compress, "
            "timescaledb.compress_segmentby = 'sid', "
            "timescaledb.compress_orderby = 'ts DESC')"
        )
    statements.append(
        "SELECT add_compression_policy('sensor_readings', "
        f"compress_after => {_interval(settings.compress_after)}, if_not_exists => TRUE)"
    )
    statements.append(
        "SELECT add_retention_policy('sensor_readings', "
        f"drop_after => {_interval(settings.retain_for)}, if_not_exists => TRUE)"
    )
    for cagg in CONTINUOUS_AGGREGATES:
        statements.extend(_continuous_aggregate(cagg))
    return statements
