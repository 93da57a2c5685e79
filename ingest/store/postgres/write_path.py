"""One batch of readings into ``sensor_readings``, cheapest path first.

Almost every batch holds only new readings: duplicates come from
redelivery after a crash or an outage. So a batch is first ``COPY``'d
straight into ``sensor_readings`` inside a savepoint; the primary key
(sid, ts) refuses it whole if any row is already there (or twice in the
batch). Then the savepoint is rolled back and the batch takes the merge
path: COPY into the temp staging table and one ``INSERT ... ON CONFLICT DO
NOTHING`` that keeps only the new rows. Either way, in the same transaction,
``sensor_latest`` advances to each sensor's newest new reading, so it stays
exact.

Measured with ``bench/pg_write_probe.py`` on durable PostgreSQL: the direct
COPY costs the server about a third of the merge (no staging rows, no
speculative insertion, no RETURNING tuplestore) and writes half the WAL;
with the latest-value upsert the whole write is about half the old one
(docs/scaling.md).

The COPY streams are built with numpy (:func:`copy_binary`): no Python
work per row beyond gathering the values.
"""

from __future__ import annotations

from collections.abc import Sequence
from itertools import chain
from typing import Any, LiteralString

import numpy as np
import numpy.typing as npt
import psycopg

from ingest.contract import Reading
from ingest.store.postgres import queries
from ingest.store.postgres.bulk import copy_binary
from ingest.store.rows import QUALITY_CODE

__all__ = ["DIRECT_COPY", "LATEST_UPSERT", "Columns", "columns_of", "write_columns_batch"]

DIRECT_COPY: LiteralString = (
    "COPY sensor_readings (sid, vid, ts, value, quality) FROM STDIN (FORMAT BINARY)"
)

# The batch's newest reading per sensor (picked by the caller), where newer.
LATEST_UPSERT: LiteralString = """
INSERT INTO sensor_latest AS l (vid, sid, ts, value, quality)
SELECT vid, sid, to_timestamp(ts_ms / 1000.0), value, quality
FROM unnest(%s::int4[], %s::int4[], %s::int8[], %s::float8[], %s::int2[])
    AS u(vid, sid, ts_ms, value, quality)
ON CONFLICT (vid, sid) DO UPDATE
SET ts = EXCLUDED.ts, value = EXCLUDED.value, quality = EXCLUDED.quality
WHERE EXCLUDED.ts > l.ts
"""

# PostgreSQL's binary timestamptz: microseconds since 2000-01-01 00:00 UTC.
_PG_EPOCH_MS = 946_684_800_000


class Columns:
    """A batch as parallel arrays: ``(n,)`` int32 vid and sid, int64 epoch ms,
    float64 value, int16 quality code."""

    __slots__ = ("quality", "sid", "ts_ms", "value", "vid")

    def __init__(
        self,
        vid: npt.NDArray[np.int32],
        sid: npt.NDArray[np.int32],
        ts_ms: npt.NDArray[np.int64],
        value: npt.NDArray[np.float64],
        quality: npt.NDArray[np.int16],
    ) -> None:
        self.vid, self.sid, self.ts_ms, self.value, self.quality = vid, sid, ts_ms, value, quality

    def __len__(self) -> int:
        return len(self.ts_ms)

    def take(self, index: npt.NDArray[np.intp]) -> Columns:
        return Columns(
            self.vid[index],
            self.sid[index],
            self.ts_ms[index],
            self.value[index],
            self.quality[index],
        )

    def newest_per_sensor(self) -> npt.NDArray[np.intp]:
        """Indices of each sensor's newest row, on rows already in (sid, ts)
        order (as :func:`write_columns_batch` sorts them): the last of each run."""
        sid = self.sid
        last = np.empty(len(sid), dtype=bool)
        last[:-1] = sid[1:] != sid[:-1]
        last[-1:] = True
        picked: npt.NDArray[np.intp] = np.flatnonzero(last)
        return picked


def columns_of(readings: Sequence[Reading], ids: Sequence[tuple[int, int]]) -> Columns:
    """Readings and their ``(vid, sid)`` as arrays; times rounded as ``to_ms`` does."""
    n = len(readings)
    # fromiter over the flattened pairs: half the time of np.array(list of tuples)
    pairs = np.fromiter(chain.from_iterable(ids), np.int32, 2 * n).reshape(n, 2)
    return Columns(
        pairs[:, 0].copy(),
        pairs[:, 1].copy(),
        np.rint(np.fromiter((r.ts for r in readings), np.float64, n) * 1000).astype(np.int64),
        np.fromiter((r.value for r in readings), np.float64, n),
        np.fromiter((QUALITY_CODE[r.quality] for r in readings), np.int16, n),
    )


async def write_columns_batch(
    conn: psycopg.AsyncConnection[Any], cols: Columns
) -> tuple[int, int | None, int | None]:
    """Store the batch in one transaction; returns (new rows, their min and max
    epoch ms, or None when nothing was new)."""
    if len(cols) == 0:
        return 0, None, None
    # Rows in key order: two writers given the same readings (a redelivery to
    # another worker) then take the keys' locks in one order and wait for each
    # other instead of deadlocking; and the primary key's B-tree is written
    # leaf by leaf. The sort is stable: of two equal keys the first is kept.
    cols = cols.take(np.lexsort((cols.ts_ms, cols.sid)))
    direct = copy_binary(
        cols.sid, cols.vid, (cols.ts_ms - _PG_EPOCH_MS) * 1000, cols.value, cols.quality
    )
    async with conn.transaction():
        cur = conn.cursor()
        try:
            async with conn.transaction(), cur.copy(DIRECT_COPY) as copy:  # a savepoint
                await copy.write(direct)
        except (psycopg.errors.UniqueViolation, psycopg.errors.DeadlockDetected):
            # A reading stored before (a redelivery), or another writer holding
            # the same keys: keep only what is new.
            return await _merge(cur, cols)
        pick = cols.newest_per_sensor()
        await cur.execute(
            LATEST_UPSERT,
            (
                cols.vid[pick].tolist(),
                cols.sid[pick].tolist(),
                cols.ts_ms[pick].tolist(),
                cols.value[pick].tolist(),
                cols.quality[pick].tolist(),
            ),
            binary=True,
        )
    return len(cols), int(cols.ts_ms.min()), int(cols.ts_ms.max())


async def _merge(
    cur: psycopg.AsyncCursor[Any], cols: Columns
) -> tuple[int, int | None, int | None]:
    staged = copy_binary(cols.sid, cols.vid, cols.ts_ms, cols.value, cols.quality)
    async with cur.copy(queries.STAGING_COPY) as copy:
        await copy.write(staged)
    row = await (await cur.execute(queries.MERGE_STAGING)).fetchone()
    if row is None or not row[0]:
        return 0, None, None
    return int(row[0]), int(row[1]), int(row[2])
