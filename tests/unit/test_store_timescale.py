"""The TimescaleDB path cannot run in CI (plain PostgreSQL): check it emits the documented SQL."""

from __future__ import annotations

from datetime import timedelta

import pytest

from ingest.store.postgres import queries
from ingest.store.postgres.timescale import (
    CONTINUOUS_AGGREGATES,
    TimescaleSettings,
    parse_version,
    setup_statements,
)


def test_version_parsing() -> None:
    assert parse_version("2.14.2") == (2, 14, 2)
    assert parse_version("2.13.0-dev") == (2, 13, 0)
    assert parse_version("2.9") == (2, 9)


def test_new_versions_use_the_by_range_hypertable_form() -> None:
    sql = setup_statements((2, 14, 0), TimescaleSettings(), compression_enabled=False)
    assert sql[0] == (
        "SELECT create_hypertable('sensor_readings', by_range('ts', INTERVAL '1 day'), "
        "if_not_exists => TRUE, migrate_data => TRUE)"
    )


def test_older_2x_versions_use_the_classic_form() -> None:
    sql = setup_statements((2, 11, 1), TimescaleSettings(), compression_enabled=False)
    assert sql[0].startswith("SELECT create_hypertable('sensor_readings', 'ts', ")
    assert "if_not_exists => TRUE" in sql[0]
    assert "by_range" not in sql[0]


def test_compression_retention_and_aggregates_follow_the_settings() -> None:
    settings = TimescaleSettings(compress_after=timedelta(days=2), retain_for=timedelta(days=30))
    sql = setup_statements((2, 14, 0), settings, compression_enabled=False)
    assert (
        "ALTER TABLE sensor_readings SET (timescaledb.compress, "
        "timescaledb.compress_segmentby = 'sid', "
        "timescaledb.compress_orderby = 'ts DESC')"
    ) in sql
    assert (
        "SELECT add_compression_policy('sensor_readings', "
        "compress_after => INTERVAL '172800 seconds', if_not_exists => TRUE)"
    ) in sql
    assert (
        "SELECT add_retention_policy('sensor_readings', "
        "drop_after => INTERVAL '2592000 seconds', if_not_exists => TRUE)"
    ) in sql
    views = [s for s in sql if s.startswith("CREATE MATERIALIZED VIEW")]
    assert [v.split()[6] for v in views] == ["sensor_readings_1m", "sensor_readings_1h"]
    # Each aggregate (by sensor id) has a view by name for dashboards and ad-hoc SQL.
    by_name = [s for s in sql if s.startswith("CREATE OR REPLACE VIEW")]
    assert [v.split()[4] for v in by_name] == ["readings_1m", "readings_1h"]
    assert all("(bucket, venue, sensor, vmin, vmax, vsum, n)" in v for v in by_name)
    for view in views:
        assert "FROM sensor_readings GROUP BY bucket, vid, sid" in view
        assert "WITH (timescaledb.continuous" in view
        assert "time_bucket(INTERVAL '60 seconds', ts)" in view or (
            "time_bucket(INTERVAL '3600 seconds', ts)" in view
        )
        for column in ("min(value)", "max(value)", "sum(value)", "count(*)"):
            assert column in view
    policies = [s for s in sql if "add_continuous_aggregate_policy" in s]
    assert len(policies) == 2
    assert all(
        "start_offset =>" in p and "end_offset =>" in p and "schedule_interval =>" in p
        for p in policies
    )
    # The policy for a view comes after the view.
    assert sql.index(policies[0]) > sql.index(views[0])


def test_compression_is_enabled_only_once() -> None:
    sql = setup_statements((2, 14, 0), TimescaleSettings(), compression_enabled=True)
    assert not any(s.startswith("ALTER TABLE") for s in sql)
    assert any("add_compression_policy" in s for s in sql)


@pytest.mark.parametrize(
    ("start_ms", "end_ms", "w_ms", "expected"),
    [
        (0, 86_400_000, 3_600_000, ("readings_1h", 3_600_000)),
        (0, 86_400_000, 300_000, ("readings_1m", 60_000)),
        (60_000, 7_200_000, 3_600_000, ("readings_1m", 60_000)),  # start not hour-aligned
        (0, 86_400_000, 1_000, None),  # finer than a minute: raw rows
        (500, 86_400_000, 60_000, None),  # range cuts a minute bucket
    ],
)
def test_aggregate_choice_only_when_buckets_tile_exactly(
    start_ms: int, end_ms: int, w_ms: int, expected: tuple[str, int] | None
) -> None:
    assert queries.pick_aggregate(start_ms, end_ms, w_ms) == expected


def test_history_queries_use_time_bucket_or_date_bin_aligned_to_the_epoch() -> None:
    ts_sql = queries.downsample_sql(timescale=True, aggregate=None)
    assert "time_bucket(" in ts_sql and "origin => timestamptz '1970-01-01 00:00:00+00'" in ts_sql
    native = queries.downsample_sql(timescale=False, aggregate=None)
    assert "date_bin(" in native and "time_bucket" not in native
    rollup = queries.downsample_sql(timescale=True, aggregate="readings_1h")
    assert "FROM sensor_readings_1h" in rollup and "sum(vsum) / sum(n)" in rollup
    assert {c.view for c in CONTINUOUS_AGGREGATES} == {"readings_1m", "readings_1h"}
    with pytest.raises(ValueError, match="unknown aggregate"):
        queries.downsample_sql(timescale=True, aggregate="readings; DROP TABLE x")
