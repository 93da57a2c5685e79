"""A counted zone nobody has crossed into or out of for several mean stays is nearly empty.

In a zone whose every door is counted both ways, in minus out drifts by
each counter's unknown miss rate times its crossings: by the end of a day
the band is tens of people wide, and it stays that wide after the last
visitors have left, until the venue's known-empty hours. What the counts
also say is *when* people cross. With a mean stay ``W`` (exponential stays,
the tracker's own assumption for the zone: ``zone_dwell_s`` or ``dwell_s``)
each of ``n`` people present leaves within ``T`` with probability
``1 - exp(-T / W)``, so no counted crossing for ``T`` has likelihood
``exp(-n T (1 - m) / W)`` (``m``: the share of departures a counter misses).
That is an exponential in ``n``: with a flat prior, the zone holds
``Exp(W' / T)`` people, ``W' = W / (1 - m)``, and its 95th percentile is
``ln(20) W' / T``. It is fused as a measurement of 0 whose band reaches that
percentile (sd ``ln(20) / 1.96 x W' / T``), in per-step increments of
information (``(T_k / s)^2 - (T_{k-1} / s)^2``), so a quiet hour is one
statement, not one per step. Its error does not depend on the counters'
miss rates: it tells the filter, as the evening's empty venue does, which
counters missed more.

People come in parties (a family, a tour group of 30) that leave
together: ``n`` people are at least ``n / G`` parties of up to ``G``, so the
likelihood is ``exp(-(n / G) T / W')`` and the band is ``G`` times wider.
``G`` is the largest number counted into the zone in one step so far (a
party crossing together is one burst), at least 1: without it a tour group
lingering on a plaza after closing was taken for "nearly empty", and the
counters' corrections learned the group as their error.

Only spells of at least one mean stay count (from there the band's upper
end, ``3 W' / T``, is at most 3 people). A spell ended by a crossing has a
likelihood with a factor ``n / W`` for that crossing, which a measurement
of 0 leaves out; fusing every short lull of a busy day would add up to a
false "empty" (tried: the museum's galleries read 0 with 100 people in
them by noon). A lull of a whole mean stay with ``n`` people present has
probability ``exp(-n)``: in a busy zone it does not happen.

``T`` runs from the last counter reading that showed a crossing at any of
the zone's doors to the oldest newest reading among them: a cumulative
count certifies that nobody crossed up to its own time, and a counter that
falls silent stops the clock instead of faking a quiet zone.

Zones left out: those with a camera or tracker (they see their people),
those with an uncounted door (people leave unseen) and those with a dwell
prior of their own (``dwell_prior.py``).
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence

import numpy as np
import numpy.typing as npt

from twin.analytics.crowd import OccupancyEstimator

__all__ = ["QuietZones"]

# Band of the measurement of 0: its 1.96 sd reach the exponential's 95th percentile.
_SD_PER_MEAN = math.log(20.0) / 1.96

Vector = npt.NDArray[np.float64]


class QuietZones:
    """``zones``: zone index -> (its channels, mean stay s); O(zones + channels) state."""

    def __init__(
        self, zones: Mapping[int, tuple[Sequence[int], float]], n_channels: int, miss_rate: float
    ) -> None:
        kept = {i: (ch, w) for i, (ch, w) in zones.items() if len(ch)}
        self._rows = np.array(sorted(kept), dtype=np.int64)
        width = max((len(ch) for ch, _ in kept.values()), default=0)
        # Channels per zone, padded with a last column that never decides.
        self._ch = np.full((len(self._rows), width), n_channels, dtype=np.int64)
        for k, i in enumerate(self._rows.tolist()):
            self._ch[k, : len(kept[i][0])] = kept[i][0]
        self._stay = np.array([kept[i][1] for i in self._rows.tolist()]) / (1.0 - miss_rate)
        self._seen = np.full(n_channels + 1, -math.inf)  # newest reading per channel
        self._seen[-1] = math.inf
        self._crossed = np.full(n_channels + 1, -math.inf)  # newest reading with a crossing
        self._info = np.zeros(len(self._rows))  # information already fused per zone
        self._party = np.ones(len(self._rows))  # largest number counted in at once

    @property
    def active(self) -> bool:
        """Whether any zone is watched for quiet spells."""
        return bool(len(self._rows))

    def reading(self, channel: int, ts: float, crossed: bool) -> None:
        """A counter of ``channel`` reported at ``ts`` (``crossed``: its count went up)."""
        # A counter's first reading is its baseline: what went before is unknown.
        crossed = crossed or not math.isfinite(self._seen[channel])
        if ts > self._seen[channel]:
            self._seen[channel] = ts
        if crossed and ts > self._crossed[channel]:
            self._crossed[channel] = ts

    def observe(self, est: OccupancyEstimator, entries: Vector) -> None:
        """Fuse this step's share of every quiet zone's evidence of being empty.

        ``entries``: people counted into each zone this step (corrected).
        """
        if not len(self._rows):
            return
        np.maximum(self._party, entries[self._rows], out=self._party)
        since = self._crossed[self._ch].max(axis=1)
        upto = self._seen[self._ch].min(axis=1)
        with np.errstate(invalid="ignore"):
            quiet = upto - since
        # Shorter than a mean stay (or a door not heard from yet): it starts over.
        spell = np.isfinite(quiet) & (quiet >= self._stay)
        self._info[~spell] = 0.0
        scale = _SD_PER_MEAN * self._stay * self._party
        total = np.where(spell, (np.where(spell, quiet, 0.0) / scale) ** 2, 0.0)
        new = total - self._info
        fuse = spell & (new > 0.0)
        if not fuse.any():
            return
        self._info[fuse] = total[fuse]
        zones = est.graph.zones
        est.observe_many(
            {
                zones[i]: (0.0, math.sqrt(1.0 / v))
                for i, v in zip(self._rows[fuse].tolist(), new[fuse].tolist(), strict=True)
            }
        )
