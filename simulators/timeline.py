"""The world's state at any instant between two points of the simulator's fixed grid.

The simulator advances its world (crowd, climate, light) in fixed intervals
of ``max_substep_s`` from its start, whatever lengths its caller steps by,
and keeps the state vector at both ends of the current interval. A reading
stamped ``ts`` inside the interval carries the state at ``ts``, by this rule:

- climate, light, UV: linear between the two ends (each balance relaxes
  smoothly over the interval; linear is within noise over 10 s);
- cumulative gate crossings: the ``k`` crossings the crowd made in the
  interval happen at ``1/k, 2/k, ..., k/k`` of it, so a counter at ``ts``
  has seen ``floor(k w)`` of them (``w`` the share of the interval passed):
  an integer, monotone, never a crossing later than its stamp, and all of
  them at the interval's end (deterministic: it draws no random numbers,
  so the sensors' random streams do not depend on how the caller steps);
- a zone's occupancy: its start plus those crossings in minus out (so
  in-minus-out of exact counters equals it at every instant), plus moves
  through no gate (a doorless venue's virtual entrance) spread the same
  way; never negative, as each visitor moves at most once per interval;
- vibration: from that occupancy, as the simulator derives it.
"""

from __future__ import annotations

import numpy as np
import numpy.typing as npt

__all__ = ["StateLayout", "state_at", "values_at"]

# floor(k * j / k) must give j despite rounding in w.
_EPS = 1e-9

FloatArray = npt.NDArray[np.float64]


class StateLayout:
    """Where the people slots sit in the simulator's state vector (``SensorBank``'s layout)."""

    def __init__(
        self,
        n_zones: int,
        n_kinds: int,
        people_block: int,
        vibration_block: int,
        gate_to: npt.NDArray[np.int64],
        gate_from: npt.NDArray[np.int64],
        vibration_per_person: FloatArray,
    ) -> None:
        z, g = n_zones, gate_to.size
        self.occ = slice(people_block * z, (people_block + 1) * z)
        self.vib = slice(vibration_block * z, (vibration_block + 1) * z)
        base = n_kinds * z
        self.fwd = slice(base, base + g)
        self.rev = slice(base + g, base + 2 * g)
        self.entries = slice(base + 2 * g, base + 2 * g + z)
        self.counts = slice(base, base + 2 * g + z)  # every cumulative count
        self.n_zones = z
        self._to, self._from = gate_to, gate_from
        self._ok_to, self._ok_from = gate_to >= 0, gate_from >= 0
        self.vib_per_person = vibration_per_person

    def flows(self, fwd: FloatArray, rev: FloatArray) -> tuple[FloatArray, FloatArray]:
        """Per zone, people in and people out through gates, for crossings ``fwd``/``rev``."""
        z = self.n_zones
        to, fr, ok_to, ok_from = self._to, self._from, self._ok_to, self._ok_from
        into = np.bincount(to[ok_to], fwd[ok_to], z) + np.bincount(fr[ok_from], rev[ok_from], z)
        out = np.bincount(fr[ok_from], fwd[ok_from], z) + np.bincount(to[ok_to], rev[ok_to], z)
        return into.astype(np.float64), out.astype(np.float64)


def state_at(layout: StateLayout, s0: FloatArray, s1: FloatArray, w: float) -> FloatArray:
    """The state a share ``w`` (0..1) of the way from ``s0`` to ``s1``, by the module's rule."""
    if w <= 0.0:
        return s0.copy()
    if w >= 1.0:
        return s1.copy()
    out = s0 + w * (s1 - s0)
    fwd = np.floor((s1[layout.fwd] - s0[layout.fwd]) * w + _EPS)
    rev = np.floor((s1[layout.rev] - s0[layout.rev]) * w + _EPS)
    out[layout.fwd] = s0[layout.fwd] + fwd
    out[layout.rev] = s0[layout.rev] + rev
    into, leave = layout.flows(fwd, rev)
    out[layout.entries] = s0[layout.entries] + into
    all_in, all_out = layout.flows(s1[layout.fwd] - s0[layout.fwd], s1[layout.rev] - s0[layout.rev])
    occ0 = s0[layout.occ]
    rest = (s1[layout.occ] - occ0) - (all_in - all_out)  # moves through no gate
    spread = np.sign(rest) * np.floor(np.abs(rest) * w + _EPS)
    occ = occ0 + into - leave + spread
    out[layout.occ] = occ
    out[layout.vib] = s0[layout.vib] + (occ - occ0) * layout.vib_per_person
    return out


def values_at(
    layout: StateLayout,
    s0: FloatArray,
    s1: FloatArray,
    g0: float,
    h: float,
    ts: FloatArray,
    src: npt.NDArray[np.int64],
) -> FloatArray:
    """Slot ``src[i]`` of the state at ``ts[i]``, for stamps in the interval ``[g0, g0 + h]``.

    One state per distinct stamp: sensors share a few phases, so a batch
    has a handful of stamps however many readings it holds.
    """
    w = (ts - g0) / h if h > 0.0 else np.ones_like(ts)
    u, inv = np.unique(w, return_inverse=True)
    if u.size == 1:
        return state_at(layout, s0, s1, float(u[0]))[src]
    states = np.stack([state_at(layout, s0, s1, x) for x in u.tolist()])
    return np.asarray(states[inv, src])
