"""One step of the counting channels' crossings and misses in the occupancy filter.

A channel that reports ``c`` people in a step really saw ``c`` plus the
people it missed, ``M``; its correction ``b`` scales the misses (see
:mod:`.occupancy`). The filter adds ``c + b c`` to the occupancy's mean
(over a day the misses are ``b`` times the counts, whatever the step
sizes), and moves ``n`` with ``b`` in its covariance by the channel's
expected count ``e`` (the live tracker's recent flow): the misses are a
thinning of the flow, so a step's own count carries the noise of the
misses ``b`` is learned from (docs/measurements/crowd-log.md, "The
entrance corrections' drift").

The misses' spread. Pedestrians cross and are missed one by one: given
the rate, a step's misses are independent of its count,
``M ~ Poisson(b rho)`` with variance about ``count_rel_sd^2 e``, there
in a step that counted nobody; the filter used ``count_rel_sd^2 c``,
none between counts, so a camera's reading then pinned ``n`` and the
gain's lag (the expected counts' sum trails the counts by about the rate
window times the flow) was read as information about the common scale of
a zone's doors' corrections, which nothing measures.

``OccupancyConfig.miss_window_s`` (900 s by default; 0 turns it off)
puts the gain and the spread on the channel's expected count over that
window
(:meth:`MissBooking.expect`): each count enters a per-channel pool of
counts not yet booked, booked at ``1 / window`` (an exponential average
of the counts, not normalised), so the booked counts add up to the
counts once the flow stops; a count inside a step of ``dt`` is taken as
uniform in it. The pool alone takes the flow before the stream as 0, so
a stream's first minutes expected almost nothing (bands 53-59 % on the
two real two-minute experiments); the average's share owed to that
unseen past is filled with the window-weighted mean rate so far, the
step's own count in it, and fades after a few windows. Being a mean over
the past, it lags a flow that rises within seconds: while the real
corridors fill, the spread is a third under the misses, and from 40 s
on about right (the log, "Bi west's band with the misses' spread on:
where it is lost"; not changed, that lag is the window's). Where steps fall
moves a young stream's expected counts; the live service's steps fall on
the readings' own time, so batching does not move them (it was off by
default until then: the batched and the inline service differed by
0.92 %). Measured in the log, "The misses' spread on the expected count"
and "Steps on the readings' time, and the misses' spread on".

The misses of the crossings counted since the zone was last known
(``OccupancyConfig.miss_spread_counted``, off by default here; the live
service's flag is ``AnalyticsConfig.miss_spread_counted``). The window
books a count's misses over the quarter hour after it, so where a flow
starts from nothing (the doors opening) the spread booked trails what was
counted by the pool, about a window's worth of the flow: at 09:15 a third
of the binomial variance of the misses already made, and the band is too
narrow then (docs/measurements/crowd-log.md, "The first opening hour: the
misses' spread booked late"). Those people have crossed; given the rate
their misses are independent of later counts, so the variance of the
misses so far is ``count_rel_sd^2`` times the crossings counted, not only
the part the window has booked. :meth:`MissBooking.spread` books, per
channel, at least that: a step's spread count is its expected count, or
more while the spread booked trails the counts since the ledger was last
cleared (:meth:`MissBooking.forget`, when a zone of the channel is known
empty or set by an operator: the variance before that is no longer in
``P``). Between counts the window still books the misses of a quiet
step; what it books beyond the counts (the pool draining after a burst
the ledger already booked) is not taken back, so the spread may run ahead
of the counts by about the largest pool since the ledger was cleared, a
window of the busiest flow: against a day's thousands of crossings a few
per cent of the binomial term, which is itself small beside the
corrections' prior by then.

Cost: one float per channel; the sparse ``B diag(e)`` touches ``P``
through the channels that counted or were expected to, as before.
"""

from __future__ import annotations

import math

import numpy as np
import numpy.typing as npt
import scipy.sparse as sp

__all__ = ["MissBooking", "propagate_channels"]

Vector = npt.NDArray[np.float64]


class MissBooking:
    """Each channel's counts not yet booked as expected counts; one float per channel."""

    def __init__(self, n_channels: int, window_s: float) -> None:
        if not window_s > 0.0:
            raise ValueError("window_s must be > 0")
        self.window_s = window_s
        self.pool = np.zeros(n_channels)
        self.weight_s = 0.0  # the stream's time weight W (see expect)
        # Crossings counted minus spread booked since the ledger was cleared, <= 0 between
        # steps (see spread): how far the spread is ahead of the counts.
        self.unspread = np.zeros(n_channels)

    def book(self, counts: Vector, dt_s: float) -> Vector:
        """The step's expected counts: what the pool and the step's own counts book in ``dt_s``."""
        x = dt_s / self.window_s
        decay = math.exp(-x)
        # Of a count uniform in the step, the share booked by its end:
        # 1 - (1 - e^-x) / x (about x / 2 for a short step).
        own = 1.0 - -math.expm1(-x) / x
        booked = (1.0 - decay) * self.pool + own * counts
        self.pool += counts - booked
        return booked

    def expect(self, counts: Vector, dt_s: float) -> Vector:
        """The step's expected counts: :meth:`book` plus the flow before the stream began.

        The pool books only what was counted, as if nobody crossed before
        the first step. The window's average also owes the unseen past,
        ``rate x`` its weight ``tau e^-(age/tau)``; the rate is the
        window-weighted mean so far, the pool over the time weight ``W =
        tau (1 - e^-(age/tau))`` with the step's own count and time in it
        (a short history's plain mean; after a long quiet step, little).
        Over the step the past owes ``rate x (W_end - W_start)``; this
        vanishes once the stream is a few windows old.
        """
        booked = self.book(counts, dt_s)
        w0 = self.weight_s
        self.weight_s = self.window_s + (w0 - self.window_s) * math.exp(-dt_s / self.window_s)
        return booked + (self.pool / self.weight_s) * (self.weight_s - w0)

    def spread(self, counts: Vector, expected: Vector) -> Vector:
        """The step's count for the misses' spread: ``expected``, or the counts it trails.

        The spread booked since :meth:`forget` is kept at least the crossings
        counted since then (their misses have happened, whatever the window
        books later); ``expected`` is the step's :meth:`expect`.
        """
        behind = self.unspread + counts - expected
        self.unspread = np.minimum(behind, 0.0)
        return expected + np.maximum(behind, 0.0)

    def forget(self, channels: npt.NDArray[np.int64]) -> None:
        """Clear the ledger of ``channels``: a zone of theirs is known now (empty, a head count)."""
        self.unspread[channels] = 0.0


def propagate_channels(
    x: Vector,
    p: npt.NDArray[np.float64],
    inc: sp.csc_matrix,
    nz: int,
    counts: Vector,
    expected: Vector,
    rel_var: float,
    abs_var: float,
    *,
    spread_on_expected: bool = False,
    spread: Vector | None = None,
) -> None:
    """Add one step's crossings and misses to the occupancy ``x[:nz]`` and ``P`` in place.

    ``inc`` is the zone/channel incidence, the corrections ``b`` sit at
    ``x[nz:nz + channels]``; ``rel_var`` and ``abs_var`` are the misses'
    variance per person and per channel-step, times ``spread`` where given
    (:meth:`MissBooking.spread`, never nonzero where the count and the
    expected count are both 0), else the expected count
    (``spread_on_expected``) or the step's own.
    """
    act = np.flatnonzero((counts != 0.0) | (expected != 0.0))
    if not act.size:
        return
    inc = inc[:, act]
    ca, ea = counts[act], expected[act]
    rows = nz + act
    own = ea if spread_on_expected else ca
    var_count = own if spread is None else spread[act]
    # x' = x + B c + B diag(c) b; P' = F P F^T, F = I + [[0, B diag(e), 0], 0...]
    # (sparse): only the active channels touch P.
    x[:nz] += inc @ ca + inc.multiply(ca[np.newaxis, :]).tocsr() @ x[rows]
    be = inc.multiply(ea[np.newaxis, :]).tocsr()
    gp = be @ p[rows, :]  # the nonzero rows of G P: (nz, state)
    p[:nz, :] += gp
    p[:, :nz] += gp.T
    p[:nz, :nz] += be @ gp[:, rows].T
    q = rel_var * var_count + abs_var
    p[:nz, :nz] += (inc.multiply(q[np.newaxis, :]) @ inc.T).toarray()
