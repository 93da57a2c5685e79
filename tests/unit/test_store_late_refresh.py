"""Late data reaches TimescaleDB's continuous aggregates: which spans are
refreshed, aligned and coalesced how, and the SQL sent (no TimescaleDB here:
a recording connection stands in)."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any, cast

import psycopg

from ingest.store.postgres.late_refresh import LateDataRefresher, interval_seconds

NOW = 1_800_000_000.0  # a whole hour, so bucket edges are easy to read
H, M = 3_600_000, 60_000
NOW_MS = int(NOW * 1000)


class RecordingConnection:
    def __init__(self, fail_after: int | None = None) -> None:
        self.calls: list[tuple[str, tuple[Any, ...]]] = []
        self.fail_after = fail_after
        self.closed = False

    async def __aenter__(self) -> RecordingConnection:
        return self

    async def __aexit__(self, *exc: object) -> None:
        self.closed = True

    async def execute(self, sql: str, params: tuple[Any, ...]) -> None:
        if self.fail_after is not None and len(self.calls) >= self.fail_after:
            raise psycopg.OperationalError("server closed the connection")
        self.calls.append((sql, params))


def refresher(conn: RecordingConnection, **kw: Any) -> LateDataRefresher:
    async def connect() -> psycopg.AsyncConnection[Any]:
        return cast(psycopg.AsyncConnection[Any], conn)

    return LateDataRefresher(connect, clock=lambda: NOW, **kw)


def test_intervals() -> None:
    assert interval_seconds("2 hours") == 7200
    assert interval_seconds("1 minute") == 60
    assert interval_seconds("3 days") == 259_200


def test_recent_data_is_left_to_the_refresh_policies() -> None:
    r = refresher(RecordingConnection())
    r.note(NOW_MS - 30 * M, NOW_MS)
    r.note(NOW_MS - 2 * H + 2 * M, NOW_MS - H)  # inside readings_1m's next policy run
    assert r.pending("readings_1m") == r.pending("readings_1h") == []


def test_data_older_than_a_policy_window_is_queued_in_whole_buckets() -> None:
    r = refresher(RecordingConnection())
    # Three hours old: beyond readings_1m's 2 h window, inside readings_1h's 3 days.
    r.note(NOW_MS - 3 * H + 1_500, NOW_MS - 3 * H + 90_000)
    assert r.pending("readings_1m") == [(NOW_MS - 3 * H, NOW_MS - 3 * H + 2 * M)]
    assert r.pending("readings_1h") == []
    # Five days old: both views.
    r.note(NOW_MS - 120 * H + 10, NOW_MS - 120 * H + 20)
    assert r.pending("readings_1h") == [(NOW_MS - 120 * H, NOW_MS - 119 * H)]
    assert (NOW_MS - 120 * H, NOW_MS - 120 * H + M) in r.pending("readings_1m")


def test_a_span_reaching_into_the_policy_window_is_cut_at_its_edge() -> None:
    r = refresher(RecordingConnection())
    r.note(NOW_MS - 5 * H, NOW_MS)  # a spool draining up to now
    ((start, end),) = r.pending("readings_1m")
    assert start == NOW_MS - 5 * H
    assert end == NOW_MS - 2 * H + 2 * M  # the policy's next run takes the rest


def test_spans_coalesce_and_stay_bounded() -> None:
    r = refresher(RecordingConnection(), max_ranges=4)
    noted = []
    for k in range(200):  # scattered batches over a month, out of order
        t = NOW_MS - (24 + (k * 7919) % 700) * H
        r.note(t, t + 10 * M)
        noted.append(t)
    ranges = r.pending("readings_1m")
    assert len(ranges) <= 4
    assert all(a < b for a, b in ranges) and ranges == sorted(ranges)
    assert all(ranges[i][1] < ranges[i + 1][0] for i in range(len(ranges) - 1))
    assert all(any(a <= t < b for a, b in ranges) for t in noted), "every span still covered"
    # Adjacent and overlapping spans become one range.
    r2 = refresher(RecordingConnection())
    r2.note(NOW_MS - 10 * H, NOW_MS - 10 * H + 5 * M)
    r2.note(NOW_MS - 10 * H + 5 * M, NOW_MS - 10 * H + 9 * M)
    r2.note(NOW_MS - 10 * H + 2 * M, NOW_MS - 10 * H + 3 * M)
    assert r2.pending("readings_1m") == [(NOW_MS - 10 * H, NOW_MS - 10 * H + 10 * M)]


async def test_flush_calls_refresh_continuous_aggregate_once_per_range() -> None:
    conn = RecordingConnection()
    r = refresher(conn)
    r.note(NOW_MS - 120 * H, NOW_MS - 120 * H + 30 * M)
    assert await r.flush() == 2
    assert conn.closed
    views = [params[0] for _, params in conn.calls]
    # The aggregates themselves (by sensor id), not their by-name views.
    assert sorted(views) == ["sensor_readings_1h", "sensor_readings_1m"]
    sql, (_view, start, end) = next(c for c in conn.calls if c[1][0] == "sensor_readings_1m")
    assert sql == "CALL refresh_continuous_aggregate(%s::regclass, %s, %s)"
    assert start == datetime.fromtimestamp((NOW_MS - 120 * H) / 1000, tz=UTC)
    assert end == datetime.fromtimestamp((NOW_MS - 120 * H + 31 * M) / 1000, tz=UTC)
    assert r.pending("readings_1m") == [] and await r.flush() == 0


async def test_a_failed_refresh_stays_pending() -> None:
    conn = RecordingConnection(fail_after=1)
    r = refresher(conn)
    r.note(NOW_MS - 120 * H, NOW_MS - 120 * H + 30 * M)
    assert await r.flush() == 1
    left = r.pending("readings_1m") + r.pending("readings_1h")
    assert len(left) == 1, "the range that failed is kept for the next flush"
    conn.fail_after = None
    assert await r.flush() == 1
    assert r.refreshes == 2
