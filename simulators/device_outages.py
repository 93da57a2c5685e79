"""Device outages of simulated people trackers: offline for a while, then back.

A networked tracker (camera tracker, 3D stereo counter) drops off now and
then: a reboot after a firmware update, a switch port or PoE budget, a
cable. Beside the per-frame dropouts (``tracker_positions.py``), each
``people_tracker`` of a venue goes offline at random times: outages start
as a Poisson process of ``per_day`` a day and last ``min_s``-``max_s``
(uniform). They are ordinary :data:`~simulators.faults.FaultKind.OFFLINE`
faults: the device sends nothing, publishes an "offline" status and
"online" at the end, and the simulator's ground truth lists each one.

The rate is not a measured figure (vendors publish none); one a day of a few
minutes is enough for a demo or a simulated day to exercise what the twin
does with a tracker that falls silent (docs/crowd.md).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from simulators.faults import Fault, FaultKind, FaultPlan
from twin.venue import SensorKind, Venue

__all__ = ["NO_OUTAGES", "OutageParams", "tracker_outages", "with_outages"]


@dataclass(frozen=True, slots=True)
class OutageParams:
    """How often trackers go offline and for how long (``per_day`` 0: never)."""

    per_day: float = 1.0
    min_s: float = 120.0
    max_s: float = 1200.0
    # Outages are drawn this far ahead of the start (a run longer than that has none after).
    horizon_s: float = 30 * 86_400.0

    def __post_init__(self) -> None:
        if not (self.per_day >= 0 and 0 < self.min_s <= self.max_s and self.horizon_s > 0):
            raise ValueError("need per_day >= 0, 0 < min_s <= max_s and horizon_s > 0")


NO_OUTAGES = OutageParams(per_day=0.0)


def tracker_outages(
    venue: Venue, start: float, rng: np.random.Generator, params: OutageParams
) -> tuple[Fault, ...]:
    """Offline faults of every ``people_tracker`` of ``venue`` from ``start`` on."""
    if params.per_day == 0:
        return ()
    gap_s = 86_400.0 / params.per_day
    out = []
    for s in venue.sensors:
        if s.kind is not SensorKind.PEOPLE_TRACKER:
            continue
        t = start + float(rng.exponential(gap_s))
        while t < start + params.horizon_s:
            length = float(rng.uniform(params.min_s, params.max_s))
            out.append(Fault(s.id, FaultKind.OFFLINE, t, t + length))
            t += length + float(rng.exponential(gap_s))
    return tuple(out)


def with_outages(plan: FaultPlan | None, outages: tuple[Fault, ...]) -> FaultPlan | None:
    """``plan`` with the outages added, in time order."""
    if not outages:
        return plan
    faults = (plan.faults if plan is not None else ()) + outages
    return FaultPlan(tuple(sorted(faults, key=lambda f: f.start)))
