"""Walking speed in transit zones, measured by Little's law where a camera watches.

Speed is measured in a transit zone a camera watches (its crossing time by
Little's law, ``path / W``) and shared with the transit zones it has a door
with: one corridor, one crowd, one speed.
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

    def shared(self) -> dict[int, float]:
        """Measured walking speed per transit zone (own or a watched neighbour's)."""
        out = {}
        for i, sources in self._from.items():
            known = [self._speed[j] for j in sources if j in self._speed]
            if known:
                out[i] = sum(known) / len(known)
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
        return v
