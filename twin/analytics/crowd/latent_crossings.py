"""A silent counting channel's missed crossings as a state of the occupancy filter.

While a gate counter is silent but not yet reported stopped, the soft
distrust widens the gate's two zones by the variance the silence may hide
(``twin/live_analytics/silence_suspicion.py``), with the mean left where
the counts put it. That widening is a latent ``L``, the crossings the
channel missed, integrated out: every camera or dwell prior fused since has
moved the zones, and so, implicitly, its belief about ``L``. At the
detection the detector's imputation ``M ~ (m, v)`` used to be added as
counts on top (the catch-up), so a zone the cameras had already moved was
moved again (design scenic seed 2's lakeside path: +1 person off during the
silence, +85 after a catch-up of 81).

Here ``L`` is kept as an explicit state, appended after the filter's own
(zones, channels' corrections, cameras' miss shares), one per silent
channel. A widening of ``g`` adds ``g u u'`` to ``P`` with ``u`` the
channel's incidence on the zones and 1 on ``L`` (the same crossings enter
both); the prediction and every fusion then update ``L`` through the
covariance, as the augmented Kalman filter does (a state nothing observes
changes neither the other states' mean nor their covariance: until ``L`` is
fused the filter is the one without it). The detection replaces ``L``'s
prior, ``N(0, b)`` with ``b`` the variance booked into it, by the
detector's ``N(m, v)``: in information form on ``L``'s marginal,

    1/s' = 1/s + 1/v - 1/b,   l' = s' (l/s + m/v),

(``l``, ``s`` its mean and variance now; ``s <= b`` since only fusions
shrink it, so ``s' > 0``), and the rest of the state follows by the
regression on ``L``: ``x += c (l' - l) / s``, ``P -= c c' (s - s') / s^2``
with ``c`` ``L``'s column of ``P``. With no other evidence (``l = 0``,
``s = b``) the zones move by ``m`` and their variance becomes what the
catch-up left (``v`` in place of ``b``), as before; what the cameras already
attributed to ``L`` is not added again. ``L`` is then marginalised (its row
and column dropped); a spell that ends with a count drops it likewise, and
the soft distrust gives its variance back as before. State: one per silent
channel with a booking, dropped when its spell ends.

Cost: a latent that goes is zeroed in place (mean, row and column: a state
with no variance and no covariance changes nothing the filter computes,
exactly as if it were marginalised), its slot kept for the next latent;
``P`` is copied only to grow past the free slots (with headroom) or to
compact once most of the latent slots are free (all of them on a day
without silences, so the state is the filter's own). A step's widenings
go in one scatter-add. At 420 zones with up to 1,534 latents, adding,
dropping and widening them one copy of ``P`` or one rank-1 update at a time
took about 5 of the 6 seconds the latent added (docs/crowd.md).
"""

from __future__ import annotations

from collections.abc import Iterable

import numpy as np
import numpy.typing as npt
import scipy.sparse as sp

from twin.analytics.crowd.occupancy import OccupancyEstimator

__all__ = ["LatentCrossings"]

Vector = npt.NDArray[np.float64]


class LatentCrossings:
    """Per silent channel: its missed crossings as a state appended to the filter's."""

    def __init__(self, est: OccupancyEstimator) -> None:
        self._est = est
        self._order: list[int | None] = []  # channel of each latent slot, None when free
        self._slot: dict[int, int] = {}  # channel -> its slot
        self._booked: dict[int, float] = {}  # channel -> prior variance put into it

    @property
    def channels(self) -> frozenset[int]:
        return frozenset(self._slot)

    def booked(self, channel: int) -> float:
        return self._booked.get(channel, 0.0)

    def _index(self, channel: int) -> int:
        return self._est.base_size + self._slot[channel]

    def widen(self, channels: npt.NDArray[np.int64], var: Vector) -> None:
        """Add ``var`` of missed crossings on each channel, to its zones and its latent."""
        keep = var > 0.0
        chans, var = channels[keep], var[keep]
        if not chans.size:
            return
        new = [ch for ch in dict.fromkeys(chans.tolist()) if ch not in self._booked]
        if new:
            self._grow(new)
        est = self._est
        # B diag(var) B' in one scatter-add, B's columns the channels' incidence
        # on the zones with 1 on their latents (the same crossings enter both).
        sub = est.graph.incidence[:, chans]
        zr, zc = np.nonzero(sub)
        k = chans.size
        lat = np.array([self._index(ch) for ch in chans.tolist()], dtype=np.int64)
        b = sp.csc_matrix(
            (
                np.concatenate([sub[zr, zc], np.ones(k)]),
                (np.concatenate([zr, lat]), np.concatenate([zc, np.arange(k)])),
            ),
            shape=(est.x.size, k),
        )
        q = (b @ sp.diags(var) @ b.T).tocoo()
        np.add.at(est.P, (q.row, q.col), q.data)
        for ch, g in zip(chans.tolist(), var.tolist(), strict=True):
            self._booked[ch] += g

    def fuse(self, channel: int, missed: float, missed_var: float) -> bool:
        """The detection: the channel's latent takes the detector's ``(m, v)`` as its prior.

        Where the channel has no latent with variance (or ``missed_var`` is
        not positive) the catch-up is booked as counts were: the zones move
        by ``m``, their variance by ``v`` (returns False). The latent is
        dropped either way.
        """
        est = self._est
        j = self._index(channel) if channel in self._booked else -1
        s = float(est.P[j, j]) if j >= 0 else 0.0
        b = self._booked.get(channel, 0.0)
        if not (s > 0.0 and b > 0.0 and missed_var > 0.0):
            self.drop([channel])
            u = est.graph.incidence[:, channel]
            est.x[: est.n_zones] += u * missed
            z = np.flatnonzero(u)
            est.P[np.ix_(z, z)] += max(missed_var, 0.0) * np.outer(u[z], u[z])
            return False
        ell = float(est.x[j])
        b = max(b, s)  # rounding: fusions only shrink it
        s_new = 1.0 / (1.0 / s + 1.0 / missed_var - 1.0 / b)
        l_new = s_new * (ell / s + missed / missed_var)
        c = est.P[:, j].copy()
        est.x += c * ((l_new - ell) / s)
        est.P -= np.outer(c, c) * ((s - s_new) / (s * s))
        self.drop([channel])
        return True

    def drop(self, channels: Iterable[int]) -> None:
        """Marginalise these channels' latents: zeroed in place, their slots freed."""
        gone = [ch for ch in channels if ch in self._booked]
        if not gone:
            return
        est = self._est
        idx = np.array([self._index(ch) for ch in gone], dtype=np.int64)
        est.x[idx] = 0.0
        est.P[idx, :] = 0.0
        est.P[:, idx] = 0.0
        for ch in gone:
            self._order[self._slot.pop(ch)] = None
            del self._booked[ch]
        # At 420 zones a step drops ~600 of ~1,500 latents and the next step adds
        # as many: keep the slots for them unless most of the latents are gone.
        free = len(self._order) - len(self._slot)
        if free > len(self._slot):
            self._compact()

    def _compact(self) -> None:
        """Drop the free slots' rows and columns: one copy of ``P``."""
        est, base = self._est, self._est.base_size
        used = [i for i, ch in enumerate(self._order) if ch is not None]
        keep = np.concatenate([np.arange(base), base + np.array(used, dtype=np.int64)])
        est.x = est.x[keep].copy()
        est.P = np.ascontiguousarray(est.P[np.ix_(keep, keep)])
        self._order = [self._order[i] for i in used]
        self._slot = {ch: i for i, ch in enumerate(self._order) if ch is not None}

    def _grow(self, channels: list[int]) -> None:
        """Latents (mean 0, no variance yet) for these channels: free slots first.

        Past the free slots ``P`` is copied once, with room for an eighth
        more (zero, so inert) to keep the copies rare while latents come.
        """
        free = [i for i, ch in enumerate(self._order) if ch is None]
        short = len(channels) - len(free)
        if short > 0:
            est = self._est
            n = est.x.size
            extra = short + (n - est.base_size + short) // 8
            x = np.zeros(n + extra)
            x[:n] = est.x
            p = np.zeros((n + extra, n + extra))
            p[:n, :n] = est.P
            est.x, est.P = x, p
            free += list(range(len(self._order), len(self._order) + extra))
            self._order += [None] * extra
        for ch, i in zip(channels, free, strict=False):
            self._order[i] = ch
            self._slot[ch] = i
            self._booked[ch] = 0.0
