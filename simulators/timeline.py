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

__all__ = ["Interval", "StateLayout"]

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
        # Gates with a zone on that side, and the zone.
        self._g_to, self._g_from = np.flatnonzero(gate_to >= 0), np.flatnonzero(gate_from >= 0)
        self._to, self._from = gate_to[self._g_to], gate_from[self._g_from]
        # Small venues: the incidence as dense matrices, one product per flow
        # (a few microseconds); large ones bincount (the matrices would not fit).
        self._dense: tuple[FloatArray, FloatArray] | None = None
        if g * z <= 100_000:
            enter, leave = np.zeros((g, z)), np.zeros((g, z))
            enter[self._g_to, self._to] = 1.0
            leave[self._g_from, self._from] = 1.0
            self._dense = (enter, leave)
        self.vib_per_person = vibration_per_person

    def flows(self, fwd: FloatArray, rev: FloatArray) -> tuple[FloatArray, FloatArray]:
        """Per zone, people in and out through gates, for crossings ``fwd``/``rev`` ``(u, gates)``.

        Rows are independent instants; returns two ``(u, zones)`` arrays.
        """
        if self._dense is not None:
            enter, leave = self._dense
            # Forward crossings enter to_zone and leave from_zone; reverse the other way.
            return fwd @ enter + rev @ leave, fwd @ leave + rev @ enter
        u, z = fwd.shape[0], self.n_zones
        if u == 1:
            to, fr = self._to, self._from
        else:
            row = np.arange(u)[:, None] * z
            to, fr = (row + self._to).ravel(), (row + self._from).ravel()
        g_to, g_fr = self._g_to, self._g_from
        f_to, f_fr = fwd[:, g_to].ravel(), fwd[:, g_fr].ravel()
        r_to, r_fr = rev[:, g_to].ravel(), rev[:, g_fr].ravel()
        n = u * z
        into = np.bincount(to, f_to, n) + np.bincount(fr, r_fr, n)
        out = np.bincount(fr, f_fr, n) + np.bincount(to, r_to, n)
        return into.reshape(u, z).astype(np.float64), out.reshape(u, z).astype(np.float64)


class Interval:
    """One grid interval ``[g0, g1]`` and its end states; the state at any instant in it."""

    def __init__(
        self, layout: StateLayout, g0: float, s0: FloatArray, g1: float, s1: FloatArray
    ) -> None:
        self.layout, self.g0, self.g1, self.s0, self.s1 = layout, g0, g1, s0, s1
        self._d = s1 - s0
        self._df, self._dr = self._d[layout.fwd], self._d[layout.rev]
        into, out = layout.flows(self._df[None, :], self._dr[None, :])
        self._rest = self._d[layout.occ] - (into[0] - out[0])  # moves through no gate
        self._gateless = bool(self._rest.any())
        self._still = not (self._df.any() or self._dr.any() or self._gateless)

    def states(self, w: FloatArray) -> FloatArray:
        """``(len(w), state size)``: the state a share ``w`` (in [0, 1]) of the way through."""
        lay, s0 = self.layout, self.s0
        w = w[:, None]
        out: FloatArray = s0 + w * self._d
        if self._still:  # nobody moved: the counts hold
            return out
        fwd = np.floor(self._df * w + _EPS)
        rev = np.floor(self._dr * w + _EPS)
        out[:, lay.fwd] = s0[lay.fwd] + fwd
        out[:, lay.rev] = s0[lay.rev] + rev
        into, leave = lay.flows(fwd, rev)
        out[:, lay.entries] = s0[lay.entries] + into
        moved = into - leave
        if self._gateless:
            moved += np.sign(self._rest) * np.floor(np.abs(self._rest) * w + _EPS)
        out[:, lay.occ] = s0[lay.occ] + moved
        out[:, lay.vib] = s0[lay.vib] + moved * lay.vib_per_person
        return out

    def at(self, ts: float) -> FloatArray:
        """The state at ``ts`` (the ends exactly at the grid points)."""
        if ts <= self.g0:
            return self.s0.copy()
        if ts >= self.g1:
            return self.s1.copy()
        w = np.array([(ts - self.g0) / (self.g1 - self.g0)])
        return np.asarray(self.states(w)[0], dtype=np.float64)

    def values(self, ts: FloatArray, src: npt.NDArray[np.int64]) -> FloatArray:
        """Slot ``src[i]`` of the state at ``ts[i]``, for stamps in ``[g0, g1)``.

        One state per distinct stamp: sensors share a few phases, so a batch
        has a handful of stamps however many readings it holds.
        """
        w = (ts - self.g0) / (self.g1 - self.g0)
        if w.size > 1 and (w[1:] >= w[:-1]).all():  # the sensor bank's order: by stamp
            new = np.empty(w.size, dtype=bool)
            new[0], new[1:] = True, w[1:] != w[:-1]
            u, inv = w[new], np.cumsum(new) - 1
        else:
            u, inv = np.unique(w, return_inverse=True)
        return np.asarray(self.states(u)[inv, src])
