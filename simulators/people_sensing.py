"""How real people sensors err: gate counters miss and double-count, cameras under-count.

- A gate counter misses each crossing with its own probability (drawn per
  device from ``miss_range``: overhead counters are specified at 92-99 %
  accuracy; people walking side by side or in a group are the usual miss)
  and counts one twice with probability ``double`` (someone turning back
  under the sensor). By default each direction of a gate is its own
  device; with ``direction_sd`` set, the two directions of one gate are one
  physical two-way counter that shares its miss rate (same optics, mounting
  and occlusion), each direction off it by ``direction_sd``, kept inside
  ``miss_range`` (an experiment, docs/crowd.md). Binomial thinning composes,
  so drawing the misses of all crossings since the device's previous
  reading is exact however often it reports.
- A camera (``people_count``) sees each person present with probability
  ``(1 - dropout) (1 - occlusion * density)``: the tracker loses people now
  and then, and more are hidden behind others as the crowd thickens (the
  occlusion coefficient per p/m^2 is drawn per device). The sensor bank then
  adds its usual relative noise.
- A people tracker (``people_tracker``, looking down) only drops tracks: it
  counts each person with probability ``1 - dropout``. Published, its count
  becomes a frame with positions and track ids (``tracker_positions.py``).

The truth stays in the simulator (``VenueSimulator.occupancy()``,
``gate_counts()``) for scoring; :attr:`PeopleSensing.miss` and
:attr:`PeopleSensing.occlusion` are the per-device draws, for tests.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import numpy.typing as npt

from twin.venue import SensorDef, SensorKind

__all__ = ["EXACT_SENSING", "PeopleSensing", "SensingErrors"]


@dataclass(frozen=True, slots=True)
class SensingErrors:
    """Ranges the per-device error rates are drawn from (uniformly)."""

    miss_range: tuple[float, float] = (0.01, 0.08)
    double_range: tuple[float, float] = (0.0, 0.01)
    dropout: float = 0.02
    occlusion_range: tuple[float, float] = (0.0, 0.06)
    direction_sd: float | None = None

    def __post_init__(self) -> None:
        for lo, hi in (self.miss_range, self.double_range, self.occlusion_range):
            if not 0.0 <= lo <= hi < 1.0:
                raise ValueError(f"error range ({lo}, {hi}) must satisfy 0 <= low <= high < 1")
        if not 0.0 <= self.dropout < 1.0:
            raise ValueError("dropout must be in [0, 1)")
        if self.direction_sd is not None and not 0.0 <= self.direction_sd < 1.0:
            raise ValueError("direction_sd must be in [0, 1)")


# Counters that never miss and cameras that see everyone: for tests of logic only.
EXACT_SENSING = SensingErrors((0.0, 0.0), (0.0, 0.0), 0.0, (0.0, 0.0))


class PeopleSensing:
    """Per-device errors of a venue's gate counters and cameras; O(sensors) state."""

    def __init__(
        self,
        sensors: list[SensorDef],
        zone_area: npt.NDArray[np.float64],
        zone_index: dict[str, int],
        rng: np.random.Generator,
        errors: SensingErrors | None = None,
    ) -> None:
        e = errors or SensingErrors()
        n = len(sensors)
        self.counter = np.array([s.kind is SensorKind.GATE_COUNTER for s in sensors], dtype=bool)
        direct = (SensorKind.PEOPLE_COUNT, SensorKind.PEOPLE_TRACKER)
        self.camera = np.array([s.kind in direct for s in sensors], dtype=bool)
        tracker = np.array([s.kind is SensorKind.PEOPLE_TRACKER for s in sensors], dtype=bool)
        if e.direction_sd is None:
            self.miss = np.where(self.counter, rng.uniform(*e.miss_range, n), 0.0)
        else:
            # One rate per physical counter (gate), each direction off it by direction_sd.
            gates = sorted({s.gate or s.id for s in sensors if s.kind is SensorKind.GATE_COUNTER})
            rate = dict(zip(gates, rng.uniform(*e.miss_range, len(gates)).tolist(), strict=True))
            own = np.array([rate.get(s.gate or s.id, 0.0) for s in sensors])
            own = np.clip(own + rng.normal(0.0, e.direction_sd, n), *e.miss_range)
            self.miss = np.where(self.counter, own, 0.0)
        self.double = np.where(self.counter, rng.uniform(*e.double_range, n), 0.0)
        self.occlusion = np.where(self.camera & ~tracker, rng.uniform(*e.occlusion_range, n), 0.0)
        self.dropout = e.dropout
        # Each counter draws its misses from its own stream and the cameras from
        # theirs, so no device's draws shift with how many readings of others a
        # batch holds (a run stepped 10 s or 2 s at a time reads the same) or
        # with a sensor added elsewhere.
        counters = np.flatnonzero(self.counter).tolist()
        cam_rng, *streams = rng.spawn(1 + len(counters))
        self._cam_rng = cam_rng
        self._count_rng: dict[int, np.random.Generator] = dict(zip(counters, streams, strict=True))
        self._area = np.array([zone_area[zone_index[s.zone]] for s in sensors], dtype=np.float64)
        self._seen_true = np.full(n, np.nan)
        self._reported = np.zeros(n)

    def apply(
        self, idx: npt.NDArray[np.int64], true: npt.NDArray[np.float64]
    ) -> npt.NDArray[np.float64]:
        """What the sensors ``idx`` report for the true values ``true`` (in time order)."""
        out = np.array(true, dtype=np.float64)
        cnt = self.counter[idx]
        if cnt.any():
            for k in np.flatnonzero(cnt).tolist():
                s = int(idx[k])
                t = float(true[k])
                if np.isnan(self._seen_true[s]):
                    # The device starts counting where the venue's count stands.
                    self._seen_true[s] = t
                    self._reported[s] = t
                delta = int(max(0.0, t - self._seen_true[s]))
                self._seen_true[s] = max(self._seen_true[s], t)
                if delta:
                    draw = self._count_rng[s]
                    self._reported[s] += draw.binomial(delta, 1.0 - self.miss[s])
                    self._reported[s] += draw.binomial(delta, self.double[s])
                out[k] = self._reported[s]
        cam = self.camera[idx]
        if cam.any():
            rows = np.flatnonzero(cam)
            cams = idx[rows]
            n = np.maximum(0, np.round(true[rows])).astype(np.int64)
            share = (1.0 - self.dropout) * np.clip(
                1.0 - self.occlusion[cams] * n / self._area[cams], 0.0, 1.0
            )
            out[rows] = self._cam_rng.binomial(n, share)
        return out
