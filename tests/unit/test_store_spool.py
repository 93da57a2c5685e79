"""Disk spool: durable FIFO of reading batches with a byte cap."""

from __future__ import annotations

from pathlib import Path

import pytest

from ingest.contract import Quality, Reading
from ingest.store import Spool, SpoolFull
from ingest.store.spool import decode_readings, encode_readings

T0 = 1_700_000_000.0


def batch(n: int, start: int = 0) -> list[Reading]:
    return [
        Reading("wing-é", f"s{i % 3}", T0 + start + i + 0.123, float(i) / 7, Quality.UNCERTAIN)
        for i in range(n)
    ]


def test_encoding_round_trips_exactly() -> None:
    rs = [*batch(10), Reading("v", "x", -1.5, float("-inf"), Quality.BAD)]
    assert decode_readings(encode_readings(rs), len(rs)) == rs


def test_batches_come_back_oldest_first_and_are_consumed(tmp_path: Path) -> None:
    spool = Spool(tmp_path)
    spool.append(batch(3))
    spool.append(batch(2, start=100))
    assert spool.readings == 5
    first = spool.peek()
    assert first is not None and first.readings == batch(3)
    assert spool.peek() == first  # peeking does not consume
    spool.consume(first)
    second = spool.peek()
    assert second is not None and second.readings == batch(2, start=100)
    spool.consume(second)
    assert spool.peek() is None
    assert spool.readings == 0
    assert list(tmp_path.iterdir()) == []


def test_unconsumed_batches_survive_a_restart(tmp_path: Path) -> None:
    spool = Spool(tmp_path, segment_bytes=200)
    for k in range(5):
        spool.append(batch(4, start=k * 10))
    assert len(list(tmp_path.glob("*.spool"))) > 1  # rotated segments
    record = spool.peek()
    assert record is not None
    spool.consume(record)
    reopened = Spool(tmp_path, segment_bytes=200)
    got = []
    while (rec := reopened.peek()) is not None:
        got.extend(rec.readings)
        reopened.consume(rec)
    # Readings of the consumed record may be replayed (idempotent writes); none are lost.
    expected = [r for k in range(1, 5) for r in batch(4, start=k * 10)]
    assert got[-len(expected) :] == expected


def test_cap_rejects_appends_that_do_not_fit(tmp_path: Path) -> None:
    spool = Spool(tmp_path, max_bytes=300)
    spool.append(batch(4))
    with pytest.raises(SpoolFull):
        spool.append(batch(10))
    assert spool.size_bytes <= 300
    assert spool.readings == 4


def test_a_torn_tail_is_ignored(tmp_path: Path) -> None:
    spool = Spool(tmp_path)
    spool.append(batch(3))
    spool.append(batch(3, start=50))
    (segment,) = tmp_path.glob("*.spool")
    data = segment.read_bytes()
    segment.write_bytes(data[:-5])  # crash in the middle of the second append
    reopened = Spool(tmp_path)
    assert reopened.readings == 3
    record = reopened.peek()
    assert record is not None and record.readings == batch(3)
    reopened.consume(record)
    assert reopened.peek() is None
