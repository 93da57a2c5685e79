"""Flows between zones per interval, and dwell time by Little's law.

Little, J. D. C. (1961) "A proof for the queuing formula: L = lambda W",
Operations Research 9(3), 383-387: in a stable system the mean number
present L equals the arrival rate lambda times the mean time in the system
W. Over a window, with occupancy sampled per interval,
``L = sum(n_k dt_k) / sum(dt_k)`` and ``lambda = sum(entries_k) / sum(dt_k)``,
so ``W = sum(n_k dt_k) / sum(entries_k)``.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass

import numpy as np

from twin.analytics.crowd.errors import InvalidInput
from twin.analytics.crowd.graph import GateCount, ZoneGraph

__all__ = ["DwellTimeEstimator", "ZoneFlow", "entries_per_zone", "zone_flows"]


@dataclass(frozen=True, slots=True)
class ZoneFlow:
    """People who moved from one zone to another in an interval (None: outside)."""

    from_zone: str | None
    to_zone: str | None
    people: float


def zone_flows(
    graph: ZoneGraph, counts: Iterable[GateCount] | Mapping[str, tuple[float, float]]
) -> list[ZoneFlow]:
    """Zone-to-zone flows of one interval, gates between the same pair summed."""
    vec = graph.channel_vector(counts)
    acc: dict[tuple[str | None, str | None], float] = {}
    for i, g in enumerate(graph.gates):
        pairs = (
            ((g.from_zone, g.to_zone), vec[2 * i]),
            ((g.to_zone, g.from_zone), vec[2 * i + 1]),
        )
        for (a, b), n in pairs:
            if n > 0.0:
                acc[(a, b)] = acc.get((a, b), 0.0) + float(n)
    return [ZoneFlow(a, b, n) for (a, b), n in sorted(acc.items(), key=lambda kv: str(kv[0]))]


def entries_per_zone(
    graph: ZoneGraph, counts: Iterable[GateCount] | Mapping[str, tuple[float, float]]
) -> dict[str, float]:
    """People entering each zone in one interval (positive part of the incidence)."""
    vec = graph.channel_vector(counts)
    inflow = np.clip(graph.incidence, 0.0, None) @ vec
    return {z: float(inflow[i]) for i, z in enumerate(graph.zones)}


class DwellTimeEstimator:
    """Mean dwell time of one zone over a sliding window of intervals (Little's law).

    Bounded state: a ring of ``window`` (duration, occupancy x duration, entries).
    ``min_entries``: fewer entries than this in the window give no figure, since
    L / lambda from one or two arrivals is mostly noise (one arrival into a
    full gallery read as an hour's stay).
    """

    def __init__(self, window: int = 12, min_entries: float = 1.0) -> None:
        if window < 1:
            raise InvalidInput("window must be >= 1")
        if not min_entries > 0:
            raise InvalidInput("min_entries must be > 0")
        self._ring = np.zeros((window, 3), dtype=np.float64)
        self._n = 0
        self._min_entries = min_entries

    def update(self, dt_s: float, mean_occupancy: float, entries: float) -> None:
        """Add one interval: its length, mean occupancy over it and the entries in it."""
        if dt_s <= 0 or mean_occupancy < 0 or entries < 0:
            raise InvalidInput("need dt > 0, occupancy >= 0, entries >= 0")
        self._ring[self._n % len(self._ring)] = (dt_s, mean_occupancy * dt_s, entries)
        self._n += 1

    @property
    def mean_occupancy(self) -> float | None:
        total = self._ring[:, 0].sum()
        return None if total == 0.0 else float(self._ring[:, 1].sum() / total)

    @property
    def arrival_rate_per_s(self) -> float | None:
        total = self._ring[:, 0].sum()
        return None if total == 0.0 else float(self._ring[:, 2].sum() / total)

    @property
    def dwell_time_s(self) -> float | None:
        """W = L / lambda in seconds; None with fewer than ``min_entries`` arrivals."""
        entries = self._ring[:, 2].sum()
        if entries == 0.0 or entries < self._min_entries:
            return None
        return float(self._ring[:, 1].sum() / entries)

    @property
    def censored_shortfall(self) -> float:
        """How far ``dwell_time_s`` is short because people inside are censored (a share).

        Of the window's ``E`` entries, the ``n`` still inside count only the
        part of their stay that has passed: ``W`` is short by about half of
        their stays (uniform ages), a share ``n / (2 E - n)`` of it, the gap
        between ``sum n dt / E`` and the censoring-corrected ``sum n dt /
        (E - n / 2)`` (exact for a constant inflow from an empty start). It
        fades as the window fills with completed stays; 0 without entries.
        """
        entries = float(self._ring[:, 2].sum())
        if self._n == 0 or entries <= 0.0:
            return 0.0
        last = self._ring[(self._n - 1) % len(self._ring)]
        inside = min(float(last[1] / last[0]), entries)
        return inside / (2.0 * entries - inside)
