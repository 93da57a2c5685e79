"""What "every acknowledged reading is stored exactly once" means, checked
where a duplicate or a loss can really show.

``readings`` has a primary key on (venue, sensor, ts), so counting duplicate
keys there can never fail. Duplicates happen upstream of it: a broker
redelivering what a worker committed but could not acknowledge, a spool
replaying a batch it had already drained. Their visible harm is:

- a *stale latest value*: a redelivered older batch must not replace the
  newer value in ``readings_latest`` (one row per sensor, the newest);
- a *spool that replays*: once drained, a spool must be empty, or every
  restart writes its batches again;
- a *changed value* or a *phantom row*: every stored row is a reading that
  was published, with its value.
"""

from __future__ import annotations

import time
from collections.abc import Iterable
from pathlib import Path

import psycopg

from ingest.contract import Reading
from ingest.store.spool import Spool

__all__ = ["expect_exactly_once", "expect_spool_drained", "stored_rows"]

Key = tuple[str, float]


def stored_rows(url: str, venue: str) -> dict[Key, float]:
    with psycopg.connect(url) as conn:
        rows = conn.execute(
            "SELECT sensor, round(extract(epoch FROM ts)::numeric, 3)::float8, value "
            "FROM readings WHERE venue = %s",
            (venue,),
        ).fetchall()
    return {(str(s), float(t)): float(v) for s, t, v in rows}


def _latest(url: str, venue: str) -> tuple[list[tuple[object, ...]], list[tuple[object, ...]]]:
    with psycopg.connect(url) as conn:
        latest = conn.execute(
            "SELECT sensor, ts, value FROM readings_latest WHERE venue = %s ORDER BY sensor",
            (venue,),
        ).fetchall()
        newest = conn.execute(
            "SELECT DISTINCT ON (sensor) sensor, ts, value FROM readings WHERE venue = %s "
            "ORDER BY sensor, ts DESC",
            (venue,),
        ).fetchall()
    return latest, newest


def expect_exactly_once(
    url: str,
    acked: list[Reading],
    *,
    published: Iterable[Reading] | None = None,
    timeout: float = 60,
) -> None:
    """Every acknowledged reading is stored with its value, nothing else is,
    and ``readings_latest`` holds each sensor's newest stored reading.

    ``published`` (default: ``acked``) is everything the device sent; rows
    outside it are phantoms."""
    if not acked:
        raise AssertionError("nothing was acknowledged: the test proves nothing")
    venue = acked[0].venue
    deadline = time.monotonic() + timeout
    stored = stored_rows(url, venue)
    want = {(r.sensor, r.ts): r.value for r in acked}
    while time.monotonic() < deadline and not want.keys() <= stored.keys():
        time.sleep(0.2)
        stored = stored_rows(url, venue)
    missing = [k for k in want if k not in stored]
    assert not missing, f"{len(missing)} acknowledged readings are missing, e.g. {missing[:3]}"
    changed = [k for k, v in want.items() if stored[k] != v]
    assert not changed, f"{len(changed)} readings stored with another value, e.g. {changed[:3]}"
    sent = {(r.sensor, r.ts): r.value for r in (published if published is not None else acked)}
    phantoms = [k for k, v in stored.items() if sent.get(k) != v]
    assert not phantoms, f"{len(phantoms)} stored rows were never published: {phantoms[:3]}"
    latest, newest = _latest(url, venue)
    assert latest == newest, (
        "readings_latest is not each sensor's newest reading (a redelivered older "
        f"batch replaced a newer value?): {latest} != {newest}"
    )


def expect_spool_drained(spool_dir: Path) -> None:
    """Open the spool as the next worker would: it must replay nothing."""
    spool = Spool(spool_dir)
    assert spool.readings == 0 and spool.peek() is None, (
        f"the drained spool still holds {spool.readings} readings: a restart would write them again"
    )
