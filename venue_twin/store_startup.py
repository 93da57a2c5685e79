"""The platform's store at start-up: waiting for a database that is down, seeding the
twin, and resuming the drift check from the stored hours."""

from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import Sequence
from typing import Any

from ingest.store.base import Store, StoreUnavailable
from twin.live_analytics import AnalyticsService
from twin.live_analytics.anomalies import AnomalyWatch
from twin.service import TwinService
from twin.venue import Venue

__all__ = [
    "RESUME_DRIFT_S",
    "StartupCancelled",
    "redact",
    "resume_drift",
    "resume_watch",
    "seed_twin",
    "wait_for_store",
]

log = logging.getLogger(__name__)

# How often a platform waiting for its database at start-up says so.
_STORE_WAIT_REPORT_S = 5.0


class StartupCancelled(Exception):
    """``stop`` was set while the platform was still starting (waiting for its database)."""


async def wait_for_store(store: Store, url: str, stop: asyncio.Event | None) -> None:
    """Wait for a database that is down at start-up, saying so every few seconds.

    Raises :class:`StartupCancelled` if ``stop`` is set meanwhile, and
    :class:`~ingest.store.base.StoreMisconfigured` if the database answers
    but refuses the settings.
    """
    from ingest.store.postgres import server_address  # psycopg: only when needed

    where, started = server_address(url), time.monotonic()
    while True:
        log.warning(
            "database at %s unreachable, retrying... (waiting %.0f s%s)",
            where,
            time.monotonic() - started,
            "; Ctrl-C to stop" if stop is not None else "",
        )
        waiter = asyncio.ensure_future(store.wait_connected(timeout=_STORE_WAIT_REPORT_S))
        waits: set[asyncio.Future[Any]] = {waiter}
        if stop is not None:
            waits.add(asyncio.ensure_future(stop.wait()))
        _, pending = await asyncio.wait(waits, return_when=asyncio.FIRST_COMPLETED)
        for p in pending:
            p.cancel()
        await asyncio.gather(*pending, return_exceptions=True)
        if stop is not None and stop.is_set():
            raise StartupCancelled(f"stopped while waiting for the database at {where}")
        if waiter.result():
            return


async def seed_twin(twin: TwinService, venues: Sequence[Venue], store: Store) -> int:
    """The twin resumes from the last stored values, not from blank; returns how many."""
    seeded = 0
    try:
        for venue in venues:
            latest = await store.latest(venue.id)
            twin.apply_readings(latest)
            seeded += len(latest)
    except StoreUnavailable as exc:
        log.warning("the twin starts blank: its latest values could not be read (%s)", exc)
    return seeded


# The neighbour drift check judges after about two days, but its reference,
# usual levels and scale follow with a week's time constant: two weeks of
# stored hours give it back nearly what a restart took (three days, its 72 h
# ring, did not: a restart 84 h into a run then moved first reports by hours).
RESUME_DRIFT_S = 14 * 86400.0
_HOUR = 3600.0


async def resume_drift(
    analytics: AnalyticsService, venues: Sequence[Venue], store: Store, now: float
) -> int:
    """Feed each venue's drift check the stored hourly means of its sensors over
    the two weeks of whole hours before ``now``; returns how many hours fed.

    Without them a restarted ``serve`` would judge no drift for two days (the
    own-history stand-in is off: its reports were at chance). The hour in
    progress is left to the live readings.
    """
    fed = 0
    try:
        for venue in venues:
            va = analytics.venues.get(venue.id)
            if va is not None:
                fed += await resume_watch(va.anomalies, venue.id, store, now)
    except StoreUnavailable as exc:
        log.warning("drift is judged afresh: the stored hours could not be read (%s)", exc)
    return fed


async def resume_watch(watch: AnomalyWatch, venue: str, store: Store, now: float) -> int:
    """One venue's part of :func:`resume_drift` (raises ``StoreUnavailable``)."""
    end = (now // _HOUR) * _HOUR
    start = end - RESUME_DRIFT_S
    hours: list[tuple[float, str, float]] = []
    for sensor in watch.drift_sensors:
        buckets = await store.downsampled(venue, sensor, start, end, _HOUR)
        hours += [(b.start + _HOUR / 2, sensor, b.mean) for b in buckets if b.count]
    for ts, sensor, mean in sorted(hours):
        watch.resume_drift(sensor, ts, mean)
    return len(hours)


def redact(url: str) -> str:
    """A store URL without its password, for printing."""
    if "@" not in url or "://" not in url:
        return url
    scheme, rest = url.split("://", 1)
    cred, host = rest.rsplit("@", 1)
    user = cred.split(":", 1)[0]
    return f"{scheme}://{user}:***@{host}"
