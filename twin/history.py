"""One sensor's stored history as arrays: every reading, or bucket means.

The one reader behind the conservation report (every reading: the
calculators want the logger's own samples) and the periodic report (bucket
means: a month of 100 sensors stays about a million buckets). Either way the
result is sorted by time whatever order the history was stored in, and an
empty period is empty arrays, not an error.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import numpy.typing as npt

from ingest.store.base import Store

__all__ = ["PAGE", "History", "read_history"]

PAGE = 10_000  # readings per Store.raw call

F64 = npt.NDArray[np.float64]


@dataclass(frozen=True, slots=True)
class History:
    """``ts`` (n,) reading times or bucket starts, ascending; ``value`` (n,) the
    readings or bucket means; ``count`` (n,) readings behind each value (1 for
    raw readings); ``width_s`` the bucket width, 0 for raw readings."""

    ts: F64
    value: F64
    count: npt.NDArray[np.int64]
    width_s: float

    @staticmethod
    def empty(width_s: float = 0.0) -> History:
        return History(np.zeros(0), np.zeros(0), np.zeros(0, dtype=np.int64), width_s)


async def read_history(
    store: Store,
    venue: str,
    sensor: str,
    start: float,
    end: float,
    *,
    width_s: float | None = None,
    page_size: int = PAGE,
) -> History:
    """``[start, end)``: every reading (``width_s`` None), else means per ``width_s`` bucket."""
    if width_s is not None:
        return await _buckets(store, venue, sensor, start, end, width_s)
    ts: list[float] = []
    vals: list[float] = []
    t = start
    while True:
        page = await store.raw(venue, sensor, t, end, limit=page_size)
        ts.extend(r.ts for r in page)
        vals.extend(r.value for r in page)
        if len(page) < page_size:
            break
        t = page[-1].ts + 0.001  # the next millisecond on (keys are whole ms)
    # Store.raw pages come in time order (keyset paging relies on it).
    return History(
        np.asarray(ts, dtype=np.float64),
        np.asarray(vals, dtype=np.float64),
        np.ones(len(ts), dtype=np.int64),
        0.0,
    )


async def _buckets(
    store: Store, venue: str, sensor: str, start: float, end: float, width_s: float
) -> History:
    buckets = await store.downsampled(venue, sensor, start, end, width_s)
    if not buckets:
        return History.empty(width_s)
    n = len(buckets)
    ts = np.fromiter((b.start for b in buckets), np.float64, n)
    order = np.argsort(ts, kind="stable")  # the contract says sorted; do not rely on it
    return History(
        ts[order],
        np.fromiter((b.mean for b in buckets), np.float64, n)[order],
        np.fromiter((b.count for b in buckets), np.int64, n)[order],
        width_s,
    )
