"""Start a simulation with the visitors the time of day implies.

A simulator started at 11:00 with an empty venue shows nobody for the first
minutes, and its counters never see the people who "came in before".
:func:`prefill` runs the crowd model alone (no climate, no sensors) over the
hours before the start, so the first readings find the venue as busy as it
would be at that hour. Visitors stay about an hour, so the crowd forgets its
initial state after a few hours: ``lookback_h`` of 4 is enough.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from simulators.simulator import VenueSimulator

__all__ = ["prefill"]


def prefill(
    sim: VenueSimulator, start: float, lookback_h: float = 4.0, step_s: float = 30.0
) -> None:
    """Advance ``sim``'s crowd from ``start - lookback_h`` to ``start`` (gate counts included)."""
    sched = sim.schedule
    t = start - lookback_h * 3600.0
    while t < start:
        h = min(step_s, start - t)
        hour, weekday = sim.local_time(t + 0.5 * h)
        rate = sched.arrival_rate(hour, weekday, sim.daily_visitors)
        sim.crowd.step(h, rate, sched.is_open(hour, weekday), sched.group_share, sched.group_size)
        t += h
