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

Unseen latents stay out of ``P``. While no fusion's ``H`` touches either
of a latent's zones (``H u = 0``), its column is exactly ``b u``, its mean
0 and its variance ``b``: the prediction adds to a column only what its
channel-correction entries feed (0 here); a fusion moves it by ``K H b u =
0``; a widening adds ``g u`` and ``g``; another latent's detection moves it
by their covariance, 0. So such a latent is only ``b``, the ``g u u'`` of
each widening in ``P``'s zones as in the augmented filter, and it becomes a
state (column ``b u``) just before the first fusion or operator's count
that sees one of its zones
(``OccupancyEstimator.observing``) or at its detection. At 420 zones
(``bench/analytics.py --venue grid``) 1,534 latents lived at once, none was
fused, 45 % ended after one step and 80 % were never seen by a fusion
(crowd-log, "The latent's cost: only the seen ones as states").

A latent state that goes is zeroed in place (mean, row and column: a state
with no variance and no covariance changes nothing the filter computes,
exactly as if it were marginalised), its slot kept for the next one; ``P``
is copied only to grow past the free slots (with headroom) or to compact
once most of the latent slots are free (all of them on a day without
silences, so the state is the filter's own). A step's widenings go in one
scatter-add.
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
        self._slot: dict[int, int] = {}  # channel -> its slot, once a fusion has seen it
        self._booked: dict[int, float] = {}  # channel -> prior variance put into it
        est.observing = self._seen

    @property
    def channels(self) -> frozenset[int]:
        """Every channel with a latent, a state or not yet seen."""
        return frozenset(self._booked)

    @property
    def states(self) -> frozenset[int]:
        """The channels whose latent is a state of the filter (seen by a fusion)."""
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
        for ch in chans.tolist():
            self._booked.setdefault(ch, 0.0)
        est = self._est
        # B diag(var) B' in one scatter-add, B's columns the channels' incidence
        # on the zones with 1 on their latents (the same crossings enter both);
        # an unseen latent's own entries are its booking alone (see the module doc).
        sub = est.graph.incidence[:, chans]
        zr, zc = np.nonzero(sub)
        held = [(k, self._index(ch)) for k, ch in enumerate(chans.tolist()) if ch in self._slot]
        col = np.array([k for k, _ in held], dtype=np.int64)
        lat = np.array([j for _, j in held], dtype=np.int64)
        b = sp.csc_matrix(
            (
                np.concatenate([sub[zr, zc], np.ones(col.size)]),
                (np.concatenate([zr, lat]), np.concatenate([zc, col])),
            ),
            shape=(est.x.size, chans.size),
        )
        q = (b @ sp.diags(var) @ b.T).tocoo()
        np.add.at(est.P, (q.row, q.col), q.data)
        for ch, g in zip(chans.tolist(), var.tolist(), strict=True):
            self._booked[ch] += g

    def _seen(self, zones: npt.NDArray[np.int64]) -> None:
        """Before a fusion that sees ``zones``: their unseen latents become states."""
        unseen = [ch for ch in self._booked if ch not in self._slot]
        if not unseen:
            return
        inc = self._est.graph.incidence
        chans = np.array(unseen, dtype=np.int64)
        rows = zones[zones < inc.shape[0]]
        hit = (inc[np.ix_(rows, chans)] != 0.0).any(axis=0)
        self._hold(chans[hit].tolist())

    def _hold(self, channels: list[int]) -> None:
        """Make these unseen latents states: mean 0, column ``b u``, variance ``b``."""
        if not channels:
            return
        self._grow(channels)
        est = self._est
        chans = np.array(channels, dtype=np.int64)
        lat = np.array([self._index(ch) for ch in channels], dtype=np.int64)
        b = np.array([self._booked[ch] for ch in channels])
        sub = est.graph.incidence[:, chans]
        zr, zc = np.nonzero(sub)
        cov = b[zc] * sub[zr, zc]
        est.P[zr, lat[zc]] = cov  # a free slot's row and column are zero
        est.P[lat[zc], zr] = cov
        est.P[lat, lat] = b
        est.x[lat] = 0.0

    def fuse(self, channel: int, missed: float, missed_var: float) -> bool:
        """The detection: the channel's latent takes the detector's ``(m, v)`` as its prior.

        Where the channel has no latent with variance (or ``missed_var`` is
        not positive) the catch-up is booked as counts were: the zones move
        by ``m``, their variance by ``v`` (returns False). The latent is
        dropped either way.
        """
        est = self._est
        if channel in self._booked and channel not in self._slot:
            self._hold([channel])
        j = self._index(channel) if channel in self._slot else -1
        s = float(est.P[j, j]) if j >= 0 else 0.0
        b = self._booked.get(channel, 0.0)
        if not (s > 0.0 and b > 0.0 and missed_var > 0.0):
            self.drop([channel])
            est.x[: est.n_zones] += est.graph.incidence[:, channel] * missed
            est.widen_channels(np.array([channel]), np.array([missed_var]))
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
        """Marginalise these channels' latents: states zeroed in place, their slots freed."""
        gone = [ch for ch in channels if ch in self._booked]
        if not gone:
            return
        for ch in gone:
            del self._booked[ch]
        held = [ch for ch in gone if ch in self._slot]
        if not held:
            return
        est = self._est
        idx = np.array([self._index(ch) for ch in held], dtype=np.int64)
        est.x[idx] = 0.0
        est.P[idx, :] = 0.0
        est.P[:, idx] = 0.0
        for ch in held:
            self._order[self._slot.pop(ch)] = None
        # Latents come and go by hundreds a step at 420 zones: keep the slots
        # for the next ones unless most of them are free.
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
        """Slots (zero mean, row and column) for these channels' latents: free ones first.

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
