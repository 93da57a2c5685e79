"""Walking speed in transit zones, measured by Little's law where a camera watches.

Speed is measured in a transit zone a camera watches (its crossing time by
Little's law, ``path / W``) and shared with the transit zones it has a door
with: one corridor, one crowd, one speed. While the watched zone's stays are
still censored (the people inside have only part of theirs behind them),
the speed is shared with how far it may be off (``censoring``).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

from twin.analytics.crowd import DwellTimeEstimator

__all__ = ["TransitSpeed"]


class TransitSpeed:
    """``path``: transit zone index -> path length (m); ``neighbours``: zone -> adjacent zones."""

    def __init__(
        self,
        path: Mapping[int, float],
        watched: set[int],
        neighbours: Mapping[int, Sequence[int]],
    ) -> None:
        self._path = dict(path)
        self._from: dict[int, list[int]] = {}
        for i in path:
            if i in watched:
                self._from[i] = [i]
                continue
            near = {j for j in neighbours.get(i, ()) if j in path and j in watched}
            if near:
                self._from[i] = sorted(near)
        self._speed: dict[int, float] = {}
        self._censored: dict[int, float] = {}

    def shared(self) -> dict[int, float]:
        """Measured walking speed per transit zone (own or a watched neighbour's)."""
        out = {}
        for i, sources in self._from.items():
            known = [self._speed[j] for j in sources if j in self._speed]
            if known:
                out[i] = sum(known) / len(known)
        return out

    def censoring(self) -> dict[int, float]:
        """Per transit zone walking at a neighbour's speed: how far its stay is short (a share).

        ``DwellTimeEstimator.censored_shortfall`` of the watched source(s),
        the largest where there are several. Not for the watched zone
        itself: its camera contradicts its prior's bias and the learned
        spread widens for that (``dwell_spread.py``); adding the shortfall
        there counted it twice (its band above 98 %, the crowd-log).
        """
        out = {}
        for i, sources in self._from.items():
            if sources == [i]:
                continue
            known = [self._censored[j] for j in sources if j in self._censored]
            if known:
                out[i] = max(known)
        return out

    def measure(self, i: int, dwell: DwellTimeEstimator) -> float | None:
        """path / W in a watched transit zone, once a few people have crossed it."""
        w = dwell.dwell_time_s
        if i not in self._path or w is None or not w > 0 or dwell.arrival_rate_per_s is None:
            return None
        if self._from.get(i) != [i]:
            return None
        v = self._path[i] / w
        self._speed[i] = v
        self._censored[i] = dwell.censored_shortfall
        return v
