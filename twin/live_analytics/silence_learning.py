"""What the cameras learnt while a blocked counter's zeros were read as data.

Before a stopped counter is detected (5-75 min in ``bench/blocked_counters.py``)
its zeros are read as "nobody crossed", and the zones on either side drift
by the crossings it missed. A camera (or people tracker) beside the gate
keeps reading the true count, and each of its updates puts the gap it sees
into the zone's occupancy ``n`` or into its own miss share ``g`` (it reads
``n (1 - g)``), as the filter's gains decide. At the detection the missed
crossings come in one catch-up step (``counter_trust.py``), so:

- what the camera put into ``n`` is now counted twice (the catch-up adds it
  again), and
- what it put into ``g`` leaves a miss share learnt against a wrong count,
  which then pulls ``n`` back towards the wrong count at every later reading
  (the scenic site's main path: errors of 30-90 people with sd 6-15).

Which of the two happened is in the filter's history: this keeps, per
channel, each adjacent camera's ``g`` and the camera-driven movement of its
zone's ``n`` at the channel's last count. At a catch-up the movement since
then is taken as an error of unknown sign of that size: ``(g - g_then)^2``
is added to ``g``'s variance and ``(moved n)^2`` to ``n``'s, so the
camera's next readings decide between the two instead of undoing the
catch-up. Nothing is added while no counter is caught up (clean days are
unchanged). State: two floats per (channel, adjacent camera zone or camera).
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence

import numpy as np
import numpy.typing as npt

from twin.analytics.crowd import OccupancyEstimator

__all__ = ["SilenceLearning"]

Vector = npt.NDArray[np.float64]


class SilenceLearning:
    """Per channel: the adjacent cameras' learning since the channel last counted."""

    def __init__(self, est: OccupancyEstimator, cameras: Sequence[str]) -> None:
        zi = est.graph.zone_index
        inc = est.graph.incidence
        base = est.n_zones + est.graph.n_channels
        cam_zone = np.array([zi[z] for z in cameras], dtype=np.int64)
        self._zones = np.unique(cam_zone)  # zones a camera watches
        # (channel, camera) and (channel, watched zone) pairs of a gate and its two zones.
        pc, pk, zc, zz = [], [], [], []
        for ch in range(inc.shape[1]):
            side = set(np.flatnonzero(inc[:, ch]).tolist())
            pc += [ch for z in cam_zone.tolist() if z in side]
            pk += [base + k for k, z in enumerate(cam_zone.tolist()) if z in side]
            watched = [int(z) for z in self._zones if int(z) in side]
            zc += [ch] * len(watched)
            zz += watched
        self._cam_ch = np.array(pc, dtype=np.int64)
        self._cam_state = np.array(pk, dtype=np.int64)
        self._zone_ch = np.array(zc, dtype=np.int64)
        self._zone = np.array(zz, dtype=np.int64)
        self._moved = np.zeros(est.n_zones)  # cumulative camera-driven change of n
        self._g_then = est.x[self._cam_state].copy()
        self._moved_then = np.zeros(self._zone.size)

    def before_cameras(self, est: OccupancyEstimator) -> Vector:
        """The watched zones' occupancy before the cameras are fused."""
        return est.x[self._zones].copy()

    def after_cameras(self, est: OccupancyEstimator, before: Vector) -> None:
        self._moved[self._zones] += est.x[self._zones] - before

    def counted(self, est: OccupancyEstimator, channels: npt.NDArray[np.bool_]) -> None:
        """End of a step: the channels that counted in it start afresh."""
        got = channels[self._cam_ch]
        self._g_then[got] = est.x[self._cam_state[got]]
        got = channels[self._zone_ch]
        self._moved_then[got] = self._moved[self._zone[got]]

    def widen(self, est: OccupancyEstimator, caught_up: Iterable[int]) -> None:
        """After a catch-up on ``caught_up`` channels: what the cameras learnt meanwhile."""
        for ch in caught_up:
            sel = self._cam_ch == ch
            j = self._cam_state[sel]
            est.P[j, j] += (est.x[j] - self._g_then[sel]) ** 2
            sel = self._zone_ch == ch
            z = self._zone[sel]
            est.P[z, z] += (self._moved[z] - self._moved_then[sel]) ** 2
