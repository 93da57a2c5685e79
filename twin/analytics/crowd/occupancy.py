"""Zone occupancy reconciled from imperfect counters, cameras and constraints (Kalman filter).

State: the occupancy ``n`` of every zone and a relative correction ``b`` for
every counting channel (gate x direction): a channel that reports ``c``
people really saw ``c (1 + b)``. A counter that misses a share ``m`` of the
crossings and double-counts a share ``d`` has ``b = 1 / (1 - m + d) - 1``;
the prior mean of ``b`` is set from the expected miss rate
(``counter_miss_rate``), its spread from ``bias_sd_initial``. Flow
conservation through every counted gate gives, with the zone/channel
incidence ``B`` (a person leaving zone A through door D enters zone B; the
sum over zones changes only by entries minus exits of the venue):

    n_k = n_{k-1} + B c + B diag(c) b_{k-1}        b_k = b_{k-1} (random walk)

(the covariance propagates with the expected count ``e`` in place of ``c``
where the caller gives one, see :meth:`predict_vector` and
:mod:`.channel_misses`),

the Kalman filter of Kalman (1960) with the bias in the state as in
Friedland (1969), "Treatment of bias in recursive filtering", IEEE TAC
14(4). Count noise is binomial: of ``f`` true crossings a counter reports a
Binomial(f, 1 - m) share plus Binomial(f, d) doubles, so the true flow
behind ``c`` reported people has variance ``count_rel_sd^2 c`` with
``count_rel_sd^2 ~ (m (1 - m) + d) / (1 - m)^2``.

A zone whose boundary is not fully counted (a door without a counter, or no
gates at all) also changes by flows nobody counts; it gets process noise
``2 (n + 1) dt / dwell`` (people arrive and leave unseen at about its
turnover rate), so a camera-only zone follows its camera instead of being
averaged forever.

Measurements: direct counts of one zone (cameras, people trackers) with the
variance the caller gives; "known empty" (closing time, a camera reading 0);
"set" (an operator's count) and pseudo-measurements from dwell plausibility
(Little's law, see :mod:`twin.analytics.crowd.dwell_prior`).

Occupancy cannot be negative. The reported estimate is the filter's mean
conditioned on ``n_i = 0`` for the zones whose mean is negative (active-set
projection in the filter's own metric, Simon (2010) "Kalman filtering with
state constraints", IET CTA 4(8), sec. 2.3), so a zone pushed up from below
zero takes the people from the zones its errors are correlated with and the
venue total is kept where the counters put it. The recursion itself runs
unconstrained: clipping inside it would throw away the innovation that
teaches the filter a counter's bias.

Cost per step: the prediction touches ``P`` through the sparse ``B diag(c)``
(two nonzeros per channel), so a step is ``O(state^2)`` and an update of
``m`` direct counts ``O(m state^2)``.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Iterable, Mapping, Sequence

import numpy as np
import numpy.typing as npt
import scipy.sparse as sp
from scipy.linalg.blas import dgemm

from twin.analytics.crowd.camera_noise import CameraNoise
from twin.analytics.crowd.channel_misses import MissBooking, propagate_channels
from twin.analytics.crowd.errors import InvalidInput, UnknownZone
from twin.analytics.crowd.graph import GateCount, GateLike, ZoneGraph
from twin.analytics.crowd.nonnegative import condition_nonnegative
from twin.analytics.crowd.occupancy_config import OccupancyConfig, OccupancyEstimate

__all__ = ["OccupancyEstimator"]

_BIAS_FLOOR = -0.9
# The iterated camera update: Gauss-Newton on a bilinear reading settles in a
# few steps; stop once no zone moves by more than this (people).
_IEKF_MAX_ITER = 5
_IEKF_TOL = 1e-6

Vector = npt.NDArray[np.float64]


class OccupancyEstimator:
    """Kalman occupancy of every zone of a venue; state size zones + 2 x gates.

    ``open_zones`` maps zones whose boundary is not fully counted to their
    mean stay in seconds (for their unmeasured turnover, see the module doc).
    """

    def __init__(
        self,
        zones: Sequence[str],
        gates: Iterable[GateLike],
        config: OccupancyConfig | None = None,
        initial: Mapping[str, float] | None = None,
        open_zones: Mapping[str, float] | None = None,
        cameras: Sequence[str] = (),
    ) -> None:
        self.graph = ZoneGraph(zones, gates)
        self.config = cfg = config or OccupancyConfig()
        if not 0.0 <= cfg.counter_miss_rate < 0.5:
            raise InvalidInput("counter_miss_rate must be in [0, 0.5)")
        if not 0.0 <= cfg.channel_corr < 1.0:
            raise InvalidInput("channel_corr must be in [0, 1)")
        nz, nc, nk = len(self.graph.zones), self.graph.n_channels, len(cameras)
        self._nz, self._nc = nz, nc
        # Past nz + nc + nk the state may carry latents (latent_crossings.py).
        self._base = nz + nc + nk
        self._cam_zone = np.array([self._zone(z) for z in cameras], dtype=np.int64)
        self.x: Vector = np.zeros(nz + nc + nk, dtype=np.float64)
        self.x[nz : nz + nc] = cfg.counter_miss_rate / (1.0 - cfg.counter_miss_rate)
        self.x[nz + nc :] = cfg.camera_miss_share
        var = np.concatenate(
            [
                np.full(nz, cfg.initial_sd**2),
                np.full(nc, cfg.bias_sd_initial**2),
                np.full(nk, cfg.camera_miss_sd**2),
            ]
        )
        self.P: npt.NDArray[np.float64] = np.diag(var)
        # Called with the zones a fusion or an operator's count is about to see,
        # before it reads P (latent_crossings.py keeps unseen latents out of P).
        self.observing: Callable[[npt.NDArray[np.int64]], None] | None = None
        # Gates whose two directions share one counter's correction (see channel_corr).
        self._pair_fwd = nz + 2 * np.arange(nc // 2)
        self._paired = np.full(nc // 2, cfg.channel_corr > 0.0)
        cov = cfg.channel_corr * cfg.bias_sd_initial**2
        self.P[self._pair_fwd, self._pair_fwd + 1] = cov
        self.P[self._pair_fwd + 1, self._pair_fwd] = cov
        self._turnover = np.zeros(nz, dtype=np.float64)
        for zone, dwell in (open_zones or {}).items():
            if not dwell > 0:
                raise InvalidInput(f"zone {zone!r}: dwell must be > 0 s")
            self._turnover[self._zone(zone)] = 2.0 / dwell
        self._inc = sp.csc_matrix(self.graph.incidence)
        self._cam_noise = CameraNoise(nk)  # innovation statistics per camera
        win = cfg.miss_window_s
        self._booking = MissBooking(nc, win) if win > 0.0 else None  # counts not yet booked
        self._spread_counted = self._booking is not None and cfg.miss_spread_counted
        for zone, value in (initial or {}).items():
            self.set_occupancy(zone, value, 0.0)
        self._steps = 0

    def _zone(self, zone: str) -> int:
        try:
            return self.graph.zone_index[zone]
        except KeyError:
            raise UnknownZone(zone) from None

    @property
    def n_zones(self) -> int:
        return self._nz

    @property
    def base_size(self) -> int:
        """States before any latent: zones, channels' corrections, cameras' miss shares."""
        return self._base

    def set_channel_prior(self, channel: int, miss_rate: float, sd: float) -> None:
        """Prior of one channel's correction from its own sensor's miss rate (before any step).

        A tracker's line crossings, for instance, miss what its dropped tracks
        miss, not what a beam counter does.
        """
        if not (0.0 <= miss_rate < 0.5 and sd > 0.0 and 0 <= channel < self._nc):
            raise InvalidInput(f"channel {channel}: need 0 <= miss < 0.5 and sd > 0")
        j = self._nz + channel
        self._paired[channel // 2] = False  # another sensor: its own correction
        self.x[j] = miss_rate / (1.0 - miss_rate)
        self.P[j, :] = 0.0
        self.P[:, j] = 0.0
        self.P[j, j] = sd * sd

    def set_camera_prior(self, camera: int, miss_share: float, sd: float) -> None:
        """Prior of one direct sensor's miss share (before any step).

        A people tracker whose dropped tracks the caller has already
        corrected for starts at 0, not at a camera's expected miss share.
        """
        if not (abs(miss_share) < 0.5 and sd > 0.0 and 0 <= camera < len(self._cam_zone)):
            raise InvalidInput(f"camera {camera}: need |miss share| < 0.5 and sd > 0")
        j = self._nz + self._nc + camera
        self.x[j] = miss_share
        self.P[j, :] = 0.0
        self.P[:, j] = 0.0
        self.P[j, j] = sd * sd

    def channel_scale(self) -> Vector:
        """``1 + b`` per channel (true crossings per reported one), floored."""
        return 1.0 + np.clip(self.x[self._nz : self._nz + self._nc], _BIAS_FLOOR, None)

    def predict(
        self,
        counts: Iterable[GateCount] | Mapping[str, tuple[float, float]],
        dt_s: float,
    ) -> None:
        """Advance one interval of ``dt_s`` seconds with the gate counts seen in it."""
        if not dt_s > 0.0:
            raise InvalidInput("dt_s must be > 0")
        self.predict_vector(self.graph.channel_vector(counts), dt_s)

    def predict_vector(self, c: Vector, dt_s: float, expected: Vector | None = None) -> None:
        """:meth:`predict` with counts as a channel vector (hot path of the live tracker).

        ``expected`` (per channel, default ``c``): the count the channel's
        recent flow leads one to expect. Misses thin the flow, so a step's
        own count carries the noise of the misses ``b`` is learned from; as
        the sensitivity of ``n`` to ``b`` it taught a watched zone's ``b``
        too low, night after night. The gain uses ``expected``; the mean
        still adds ``c b`` (a tour group's misses come with it).
        docs/measurements/crowd-log.md, "The entrance corrections' drift".
        With ``OccupancyConfig.miss_window_s`` > 0 (900 s by default) the gain
        and the misses' spread use the channel's expected count over that
        window instead (:meth:`.MissBooking.expect`); with
        ``miss_spread_counted`` the spread also never trails the counts
        since a zone was last known (:meth:`.MissBooking.spread`).
        """
        nz, nb, cfg = self._nz, self._nz + self._nc, self.config
        # Fold first: it makes a new P, and a step written into the old one is lost.
        self._symmetrise()
        p = self.P
        e, booked, spread = c, False, None
        if expected is not None:
            booked = self._booking is not None
            e = self._booking.expect(c, dt_s) if self._booking is not None else expected
            if self._spread_counted and self._booking is not None:
                spread = self._booking.spread(c, e)
        propagate_channels(
            self.x,
            p,
            self._inc,
            nz,
            c,
            e,
            cfg.count_rel_sd**2,
            cfg.count_abs_sd**2,
            spread_on_expected=booked,
            spread=spread,
        )
        if self._turnover.any():
            churn = self._turnover * (np.clip(self.x[:nz], 0.0, None) + 1.0) * dt_s
            p[np.arange(nz), np.arange(nz)] += churn
        idx = np.arange(nz, nb)
        drift = cfg.bias_sd_per_day**2 * dt_s / 86400.0
        p[idx, idx] += drift
        if cfg.channel_corr > 0.0:
            fwd = self._pair_fwd[self._paired]
            p[fwd, fwd + 1] += cfg.channel_corr * drift
            p[fwd + 1, fwd] += cfg.channel_corr * drift
        # A camera's miss share moves with the crowd (occlusion) and the light.
        idx = np.arange(nb, self._base)
        p[idx, idx] += cfg.camera_miss_sd_per_h**2 * dt_s / 3600.0

    def _downdate(self, k: npt.NDArray[np.floating], ph: npt.NDArray[np.floating]) -> None:
        """``P -= K (P H^T)^T`` in place (one BLAS pass, no state-sized temporary)."""
        pt = self.P.T  # Fortran-ordered view of the C-ordered P: BLAS writes into it
        out = dgemm(-1.0, np.asfortranarray(ph), np.asfortranarray(k), 1.0, pt, 0, 1, 1)
        if out is not pt and not np.shares_memory(out, self.P):
            self.P = np.ascontiguousarray(out.T)

    def _symmetrise(self) -> None:
        """Rounding makes P drift from symmetric; fold it back now and then (a full pass)."""
        self._steps += 1
        if self._steps % 64 == 0:
            self.P = 0.5 * (self.P + self.P.T)

    def _update(self, rows: npt.NDArray[np.int64], z: Vector, r: Vector) -> None:
        """Fuse direct measurements ``z`` of the zones ``rows`` (H selects them)."""
        if rows.size == 0:
            return
        if self.observing is not None:
            self.observing(rows)
        ph = self.P[:, rows]  # P H^T
        s = ph[rows, :] + np.diag(r)
        k = np.linalg.solve(s, ph.T).T  # P H^T S^-1 (S symmetric)
        self.x = self.x + k @ (z - self.x[rows])
        self._downdate(k, ph)

    def observe(self, zone: str, count: float, sd: float | None = None) -> None:
        """Fuse a direct count of one zone (camera, people tracker)."""
        if not (count >= 0.0 and math.isfinite(count)):
            raise InvalidInput(f"count must be finite and >= 0, got {count}")
        cfg = self.config
        if sd is None:
            sd = math.hypot(cfg.direct_rel_sd * count, cfg.direct_abs_sd)
        if not (sd > 0.0 and math.isfinite(sd)):
            raise InvalidInput(f"sd must be finite and > 0, got {sd}")
        self._update(np.array([self._zone(zone)]), np.array([count]), np.array([sd * sd]))

    def observe_many(self, obs: Mapping[str, tuple[float, float]]) -> None:
        """Fuse several direct counts at once: zone -> (count, sd)."""
        items = [(self._zone(z), c, s) for z, (c, s) in obs.items() if s > 0 and c >= 0]
        if items:
            rows, z, s = zip(*items, strict=True)
            self._update(np.array(rows), np.array(z, dtype=float), np.square(np.array(s)))

    def observe_cameras(self, readings: Mapping[int, tuple[float, float]]) -> None:
        """Fuse camera counts: camera index -> (count, random sd).

        A camera sees ``n (1 - g)`` people, ``g`` its miss share (a state,
        learned where counters or other cameras say more); linearised at the
        current estimate (extended Kalman filter). The slope on ``g`` is
        ``-n``: taken at the predicted ``n``, a zone predicted too full
        (innovation < 0) moves ``g`` up by more than one predicted too empty
        moves it down, so ``g`` drifts up by about ``P_gg E[e_n^2] / S`` per
        reading. With ``camera_iterated`` the reading is relinearised at the
        updated estimate until it settles (the iterated EKF, Bell & Cathey
        (1993) IEEE TAC 38(2), a Gauss-Newton step on the posterior mode),
        where ``n`` is mostly what the reading says. docs/crowd.md,
        "The cameras' miss share: linearised where the reading says".
        """
        if not readings:
            return
        nb = self._nz + self._nc
        cams = np.array(list(readings), dtype=np.int64)
        zi = self._cam_zone[cams]
        gi = nb + cams
        z = np.array([count for count, _ in readings.values()], dtype=np.float64)
        r = np.array([sd * sd for _, sd in readings.values()], dtype=np.float64)
        if self.observing is not None:
            self.observing(zi)
        x0 = self.x
        ph, hph = self._camera_rows(zi, gi, x0)
        innov = z - x0[zi] * (1.0 - x0[gi])
        r = self._adapt_camera_noise(cams, innov, hph, r)
        k = np.linalg.solve(hph + np.diag(r), ph.T).T
        x = x0 + k @ innov
        if self.config.camera_iterated:
            for _ in range(_IEKF_MAX_ITER):
                ph, hph = self._camera_rows(zi, gi, x)
                k = np.linalg.solve(hph + np.diag(r), ph.T).T
                # z - h(x_i) - H_i (x0 - x_i): the reading's innovation about x_i.
                lin = (x0[zi] - x[zi]) * (1.0 - x[gi]) - (x0[gi] - x[gi]) * np.maximum(x[zi], 0.0)
                step = x0 + k @ (z - x[zi] * (1.0 - x[gi]) - lin)
                moved = float(np.max(np.abs(step[zi] - x[zi])))
                x = step
                if moved < _IEKF_TOL:
                    break
        self.x = x
        self._downdate(k, ph)

    def _camera_rows(
        self, zi: npt.NDArray[np.int64], gi: npt.NDArray[np.int64], x: Vector
    ) -> tuple[npt.NDArray[np.float64], npt.NDArray[np.float64]]:
        """``P H^T`` and ``H P H^T`` of camera rows linearised at ``x``.

        Each row of H has two nonzeros: the zone (1 - g) and the camera's g (-n).
        """
        hn = 1.0 - x[gi]
        hg = -np.maximum(x[zi], 0.0)
        ph = self.P[:, zi] * hn + self.P[:, gi] * hg
        hph = ph[zi, :] * hn[:, None] + ph[gi, :] * hg[:, None]
        return ph, hph

    def _adapt_camera_noise(
        self, cams: npt.NDArray[np.int64], innov: Vector, hph: npt.NDArray[np.float64], r: Vector
    ) -> Vector:
        """The cameras' noise variance scaled by what their innovations show (camera_noise.py)."""
        return self._cam_noise.scale(cams, innov, hph, r)

    @property
    def camera_miss_share(self) -> Vector:
        return self.x[self._nz + self._nc : self._base].copy()

    def observe_empty(self, zones: Iterable[str] | None = None) -> None:
        """The venue (or these zones) is known empty, e.g. after closing."""
        names = self.graph.zones if zones is None else tuple(zones)
        rows = np.array([self._zone(z) for z in names], dtype=np.int64)
        self._update(rows, np.zeros(len(rows)), np.full(len(rows), self.config.empty_sd**2))
        self._forget_spread(rows)

    def widen_channels(self, channels: npt.NDArray[np.int64], var: Vector) -> None:
        """Crossings of ``channels`` uncertain by ``var``: the zones either side widen.

        ``B diag(var) B'`` with ``B`` the channels' incidence columns (+1
        entering, -1 leaving): two zones per channel, so sparse, O(channels)
        not O(zones^2). The means are the caller's.
        """
        keep = var > 0.0
        if not keep.any():
            return
        b = sp.csc_matrix(self.graph.incidence[:, channels[keep]])
        q = (b @ sp.diags(var[keep]) @ b.T).tocoo()
        np.add.at(self.P, (q.row, q.col), q.data)

    def set_occupancy(self, zone: str, count: float, sd: float = 0.0) -> None:
        """An operator's count: the zone holds ``count`` people (± ``sd``), whatever came before."""
        if not (count >= 0.0 and math.isfinite(count)) or not sd >= 0.0:
            raise InvalidInput(f"need a count >= 0 and sd >= 0, got {count}, {sd}")
        i = self._zone(zone)
        if self.observing is not None:
            self.observing(np.array([i], dtype=np.int64))
        self.x[i] = count
        self.P[i, :] = 0.0
        self.P[:, i] = 0.0
        self.P[i, i] = sd * sd
        self._forget_spread(np.array([i], dtype=np.int64))

    def _forget_spread(self, rows: npt.NDArray[np.int64]) -> None:
        """These zones are known now: their channels' misses spread so far is no longer in ``P``."""
        if self._spread_counted and self._booking is not None and rows.size:
            touched = np.flatnonzero(np.asarray(abs(self._inc[rows, :]).sum(axis=0)).ravel())
            self._booking.forget(touched)

    def clipped(self) -> Vector:
        """Occupancy clipped at 0: the cheap view for the estimator's own models."""
        return np.clip(self.x[: self._nz], 0.0, None)

    def projected(self) -> tuple[Vector, Vector]:
        """Occupancy conditioned on ``n >= 0`` and its sd (see module doc, nonnegative.py)."""
        nz = self._nz
        p = self.P[:nz, :nz]
        sd = np.sqrt(np.clip(np.diag(p), 0.0, None))
        return condition_nonnegative(self.x[:nz], p), sd

    def estimate(self) -> OccupancyEstimate:
        """The estimate projected onto occupancy >= 0, bias >= -0.9."""
        nz = self._nz
        occ, sd = self.projected()
        bias = np.clip(self.x[nz : nz + self._nc], _BIAS_FLOOR, None)
        zones = self.graph.zones
        return OccupancyEstimate(
            occupancy={z: float(occ[i]) for i, z in enumerate(zones)},
            sd={z: float(sd[i]) for i, z in enumerate(zones)},
            channel_bias={
                self.graph.channel_name(j): float(bias[j]) for j in range(self.graph.n_channels)
            },
        )
