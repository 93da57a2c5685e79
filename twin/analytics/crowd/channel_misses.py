"""One step of the counting channels' crossings and misses in the occupancy filter.

A channel that reports ``c`` people in a step really saw ``c`` plus the
people it missed, ``M``; its correction ``b`` scales the misses (see
:mod:`.occupancy`). Pedestrians cross and are missed one by one: the
misses are a thinning of the flow, ``M ~ Poisson(b rho)`` for a step whose
expected count is ``rho``, and given ``rho`` the misses are independent of
the step's own count (half the 10 s steps of a door count nobody and still
miss someone). So, with the channel's expected count ``e`` (its recent
flow, the caller's estimate of ``rho``), the step adds to the occupancy

    mean  c + b e        Jacobian in b: e        variance  count_rel_sd^2 e

all three on the same count. The filter used to mix them (mean ``c b``,
variance ``count_rel_sd^2 c``, Jacobian ``e``): its covariance then moved
``n`` with ``b`` by the expected counts' sum, which lags the counts by
about the rate window times the flow, while its mean moved by the counts;
where a zone is nearly empty and the flow is not (opening, closing) a
camera seemed to measure the common scale of the zone's doors' corrections,
which nothing measures, and the scenic site's corrections were learned
overconfident (z rms 2.46 after night 1, design seeds). The step's own
count in all three (the Jacobian of the old mean) is consistent too, but
it makes every step's count noise information about ``b``: a tracker
watching a hall every step regressed the misses on a noisy regressor and
learned ``b`` low night after night. docs/measurements/crowd-log.md,
"The misses as a thinning: mean, gain and spread on the expected count".

``thinning=False`` keeps the former mix (measurements and tests of it).
Cost: the sparse ``B diag(e)`` touches ``P`` through the channels that
counted or were expected to, as before.
"""

from __future__ import annotations

import numpy as np
import numpy.typing as npt
import scipy.sparse as sp

__all__ = ["propagate_channels"]

Vector = npt.NDArray[np.float64]


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
    thinning: bool = True,
) -> None:
    """Add one step's crossings and misses to the occupancy ``x[:nz]`` and ``P`` in place.

    ``inc`` is the zone/channel incidence, the corrections ``b`` sit at
    ``x[nz:nz + channels]``; ``rel_var`` and ``abs_var`` are the misses'
    variance per person and per channel-step.
    """
    act = np.flatnonzero((counts != 0.0) | (expected != 0.0))
    if not act.size:
        return
    inc = inc[:, act]
    ca, ea = counts[act], expected[act]
    rows = nz + act
    mean_count, var_count = (ea, ea) if thinning else (ca, ca)
    # x' = x + B c + B diag(m) b; P' = F P F^T, F = I + [[0, B diag(e), 0], 0...]
    # (sparse): only the active channels touch P.
    be = inc.multiply(ea[np.newaxis, :]).tocsr()
    bm = be if thinning else inc.multiply(mean_count[np.newaxis, :]).tocsr()
    x[:nz] += inc @ ca + bm @ x[rows]
    gp = be @ p[rows, :]  # the nonzero rows of G P: (nz, state)
    p[:nz, :] += gp
    p[:, :nz] += gp.T
    p[:nz, :nz] += be @ gp[:, rows].T
    q = rel_var * var_count + abs_var
    p[:nz, :nz] += (inc.multiply(q[np.newaxis, :]) @ inc.T).toarray()
