"""The occupancy filter with its covariance kept split by source (for the variance benches).

Between two steps the filter is linear given its gains, so with the gains the
run computed, ``P = sum_s P_s``: each ``P_s`` is propagated by the same
prediction ``F P_s F^T`` and update ``(I - K H) P_s (I - K H)^T`` (Joseph
form, equal to the filter's ``(I - K H) P`` at its own gain) and receives
only its own source's injection. Nothing in the estimator is changed: a
bench swaps the instance's class for a subclass of :class:`VarianceTrace`,
which names its sources and says where the prediction's noise and each
camera reading's variance go. The sum is checked against ``P`` at every
step. Used by ``bench/crowd_variance.py`` (real experiments) and
``bench/camera_variance.py`` (the simulator's camera zones).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, ClassVar

import numpy as np
import numpy.typing as npt

from twin.analytics.crowd import OccupancyEstimator

__all__ = ["Matrix", "VarianceTrace"]

Matrix = npt.NDArray[np.float64]


class VarianceTrace(OccupancyEstimator):
    """The estimator with ``P`` kept split by source (``comps``) and a snapshot per report.

    A subclass sets ``SOURCES``; ``PRIORS``, the sources of the starting
    zones', channels' and cameras' blocks of ``P``; ``SET_TO``, where an
    operator's count's variance goes; ``EMPTY``, the source of a known-empty
    observation; and implements :meth:`_add_prediction_noise`,
    :meth:`_camera_r` and :meth:`_snapshot`.
    """

    SOURCES: ClassVar[tuple[str, ...]]
    PRIORS: ClassVar[tuple[str, str, str]]
    SET_TO: ClassVar[str]
    EMPTY: ClassVar[str] = "other"

    comps: dict[str, Matrix]
    snaps: list[Any]
    label: str
    r_used: npt.NDArray[np.float64] | None

    def start(self) -> None:
        nz, nb = self.n_zones, self.n_zones + self.graph.n_channels
        p = self.P
        self.comps = {s: np.zeros_like(p) for s in self.SOURCES}
        blocks = (slice(0, nz), slice(nz, nb), slice(nb, len(p)))
        for name, sl in zip(self.PRIORS, blocks, strict=True):
            self.comps[name][sl, sl] = p[sl, sl]
        assert np.allclose(sum(self.comps.values()), p), "P must start block-diagonal"
        self.snaps, self.label, self.r_used = [], "other", None

    def predict_vector(self, c: Any, dt_s: float, expected: Any = None) -> None:
        nz, cfg = self.n_zones, self.config
        e = c if expected is None else expected
        act = np.flatnonzero((c != 0.0) | (e != 0.0))
        f = np.eye(len(self.x))
        inc = self.graph.incidence
        f[:nz, nz + act] += inc[:, act] * e[act]
        # predict_vector folds P back to symmetric first.
        before = self.P.copy()
        before = 0.5 * (before + before.T)
        super().predict_vector(c, dt_s, expected)
        for s in self.SOURCES:
            self.comps[s] = f @ self.comps[s] @ f.T
        q = cfg.count_rel_sd**2 * c[act] + cfg.count_abs_sd**2
        qc = np.zeros_like(self.P)
        qc[:nz, :nz] = (inc[:, act] * q) @ inc[:, act].T
        # What else the prediction added (drift of b and g, turnover): by difference.
        self._add_prediction_noise(qc, self.P - f @ before @ f.T - qc)

    def _add_prediction_noise(self, qc: Matrix, rest: Matrix) -> None:
        """Book the count noise ``qc`` and the prediction's other noise ``rest``."""
        raise NotImplementedError

    def _measure(self, before: Matrix, h: Matrix, r: Mapping[str, npt.NDArray[np.float64]]) -> None:
        s = h @ before @ h.T + np.diag(sum(r.values()))
        k = np.linalg.solve(s, h @ before).T
        a = np.eye(len(self.x)) - k @ h
        for name in self.SOURCES:
            self.comps[name] = a @ self.comps[name] @ a.T
        for name, rv in r.items():
            self.comps[name] += k @ np.diag(rv) @ k.T

    def _update(self, rows: Any, z: Any, r: Any) -> None:
        before = self.P.copy()
        super()._update(rows, z, r)
        if rows.size:
            h = np.zeros((rows.size, len(self.x)))
            h[np.arange(rows.size), rows] = 1.0
            self._measure(before, h, {self.label: np.asarray(r, dtype=float)})

    def observe_many(self, obs: Any) -> None:
        self.label = "little"  # the live tracker's only observe_many: the dwell prior
        super().observe_many(obs)
        self.label = "other"

    def observe_empty(self, zones: Any = None) -> None:
        self.label = self.EMPTY
        super().observe_empty(zones)
        self.label = "other"

    def _adapt_camera_noise(self, cams: Any, innov: Any, hph: Any, r: Any) -> Any:
        self.r_used = super()._adapt_camera_noise(cams, innov, hph, r)
        return self.r_used

    def observe_cameras(self, readings: Any) -> None:
        if not readings:
            return
        before, x = self.P.copy(), self.x.copy()
        super().observe_cameras(readings)
        nb = self.n_zones + self.graph.n_channels
        h = np.zeros((len(readings), len(x)))
        for row, cam in enumerate(readings):
            i = int(self._cam_zone[cam])
            h[row, i], h[row, nb + cam] = 1.0 - x[nb + cam], -max(x[i], 0.0)
        assert self.r_used is not None
        self._measure(before, h, self._camera_r(list(readings), self.r_used))

    def _camera_r(
        self, cams: list[int], r_used: npt.NDArray[np.float64]
    ) -> Mapping[str, npt.NDArray[np.float64]]:
        """The camera readings' variance ``r_used``, by source."""
        raise NotImplementedError

    def set_occupancy(self, zone: str, count: float, sd: float = 0.0) -> None:
        super().set_occupancy(zone, count, sd)
        if hasattr(self, "comps"):
            i = self._zone(zone)
            for m in self.comps.values():
                m[i, :], m[:, i] = 0.0, 0.0
            self.comps[self.SET_TO][i, i] = sd * sd

    def projected(self) -> tuple[Any, Any]:
        out = super().projected()
        nz = self.n_zones
        total = np.sum(list(self.comps.values()), axis=0)
        err = np.abs(total[:nz, :nz] - self.P[:nz, :nz]).max() / max(self.P[:nz, :nz].max(), 1e-9)
        assert err < 1e-6, f"components do not add up to P: {err:.2e}"
        self.snaps.append(self._snapshot())
        return out

    def _snapshot(self) -> Any:
        """What a report keeps of the split (per source, the zones' variances)."""
        raise NotImplementedError
