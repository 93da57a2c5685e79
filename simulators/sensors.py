"""Sensor sampling, vectorised over every sensor of a venue.

Each sensor reads one slot of the simulator's state vector (its zone's
temperature, its gate's count...). Sampling gathers those slots for the
sensors that are due, then applies calibration error, noise, faults, the
physical range and the sensor's resolution, all as array operations.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import numpy as np

from simulators.injector import FaultInjector, SampleBatch
from simulators.people_sensing import PeopleSensing
from twin.venue import GateDirection, SensorDef, SensorKind

__all__ = ["KIND_ORDER", "SensorBank", "SensorModel", "Truth"]

# ``truth(ts, slots)``: the state vector's ``slots`` at the stamps ``ts`` (one each).
Truth = Callable[[np.ndarray, np.ndarray], np.ndarray]

# Order of the per-zone blocks in the state vector; gate counts follow them.
KIND_ORDER: tuple[SensorKind, ...] = (
    SensorKind.TEMPERATURE,
    SensorKind.HUMIDITY,
    SensorKind.CO2,
    SensorKind.LUX,
    SensorKind.PEOPLE_COUNT,
    SensorKind.VIBRATION,
    SensorKind.UV,
)


@dataclass(frozen=True, slots=True)
class SensorModel:
    """Error model of one sensor kind, in the sensor's unit.

    Noise has standard deviation ``noise_abs + noise_rel * |value|``; ``bias_sd``
    and ``gain_sd`` draw a fixed calibration error per device (gain also stands
    for placement, e.g. a lux sensor nearer a lamp).
    """

    noise_abs: float
    noise_rel: float
    resolution: float
    bias_sd: float
    gain_sd: float
    low: float
    high: float


MODELS: dict[SensorKind, SensorModel] = {
    SensorKind.TEMPERATURE: SensorModel(0.05, 0.0, 0.01, 0.1, 0.0, -40.0, 85.0),
    SensorKind.HUMIDITY: SensorModel(0.4, 0.0, 0.1, 0.8, 0.0, 0.0, 100.0),
    SensorKind.CO2: SensorModel(5.0, 0.01, 1.0, 10.0, 0.0, 0.0, 10_000.0),
    SensorKind.LUX: SensorModel(0.3, 0.01, 0.1, 0.0, 0.1, 0.0, 200_000.0),
    SensorKind.PEOPLE_COUNT: SensorModel(0.0, 0.03, 1.0, 0.0, 0.0, 0.0, 1e9),
    # A tracker counts the people it holds a track of: its error is dropouts.
    SensorKind.PEOPLE_TRACKER: SensorModel(0.0, 0.0, 1.0, 0.0, 0.0, 0.0, 1e9),
    SensorKind.GATE_COUNTER: SensorModel(0.0, 0.0, 1.0, 0.0, 0.0, 0.0, 1e15),
    SensorKind.VIBRATION: SensorModel(0.01, 0.05, 0.001, 0.0, 0.1, 0.0, 1_000.0),
    SensorKind.UV: SensorModel(0.5, 0.02, 0.1, 0.0, 0.05, 0.0, 10_000.0),
}


class SensorBank:
    """Every sensor of a venue as arrays; ``ids[i]`` names row ``i``.

    State vector layout: ``len(KIND_ORDER)`` blocks of ``n_zones`` values, then
    ``n_gates`` cumulative forward crossings, ``n_gates`` cumulative backward
    crossings, then ``n_zones`` cumulative entries per zone (for gate counters
    with no gate). A gate counter reads its gate's crossings in its
    ``direction``.
    """

    def __init__(
        self,
        sensors: list[SensorDef],
        zone_index: dict[str, int],
        gate_index: dict[str, int],
        rng: np.random.Generator,
        start: float,
        people: PeopleSensing | None = None,
    ) -> None:
        self.ids = tuple(s.id for s in sensors)
        # Counter misses and camera under-counts (simulators/people_sensing.py).
        self._people = people
        n_zones, n_gates = len(zone_index), len(gate_index)
        self.state_size = len(KIND_ORDER) * n_zones + 2 * n_gates + n_zones
        n = len(sensors)
        self._rng = rng
        src = np.empty(n, dtype=np.int64)
        models = [MODELS[s.kind] for s in sensors]
        base = len(KIND_ORDER) * n_zones
        for k, s in enumerate(sensors):
            z = zone_index[s.zone]
            if s.kind is SensorKind.GATE_COUNTER:
                if s.gate is None:
                    src[k] = base + 2 * n_gates + z
                else:
                    back = n_gates if s.direction is GateDirection.BACKWARD else 0
                    src[k] = base + back + gate_index[s.gate]
            else:
                # A people tracker counts the same people as a camera there would.
                kind = SensorKind.PEOPLE_COUNT if s.kind is SensorKind.PEOPLE_TRACKER else s.kind
                src[k] = KIND_ORDER.index(kind) * n_zones + z
        self._src = src
        self.interval = np.array([s.interval_s for s in sensors], dtype=float)
        # Everything is due at the start, so the first readings appear at once.
        self.next_due = np.full(n, float(start))
        self._noise_abs = np.array([m.noise_abs for m in models])
        self._noise_rel = np.array([m.noise_rel for m in models])
        self._res = np.array([m.resolution for m in models])
        self._bias = rng.normal(0.0, 1.0, n) * np.array([m.bias_sd for m in models])
        self._gain = 1.0 + rng.normal(0.0, 1.0, n) * np.array([m.gain_sd for m in models])
        pairs = list(zip(sensors, models, strict=True))
        self._low = np.array([_first(s.thresholds.physical_min, m.low) for s, m in pairs])
        self._high = np.array([_first(s.thresholds.physical_max, m.high) for s, m in pairs])

    def __len__(self) -> int:
        return len(self.ids)

    def sample(self, t_end: float, truth: Truth, faults: FaultInjector) -> SampleBatch:
        """Readings of every sensor due before ``t_end``, each from the state at its own stamp.

        A sensor faster than the step gives several readings. Readings come
        in (stamp, sensor) order, so the random draws go to the same readings
        however the caller cuts time into steps.
        """
        idx = np.flatnonzero(self.next_due < t_end)
        if idx.size == 0:
            return SampleBatch.empty()
        iv = self.interval[idx]
        k = np.maximum(1, np.ceil((t_end - self.next_due[idx]) / iv)).astype(np.int64)
        first = self.next_due[idx]
        self.next_due[idx] += k * iv
        if int(k.max()) > 1:
            rows = np.repeat(np.arange(idx.size), k)
            nth = np.arange(rows.size) - np.repeat(np.cumsum(k) - k, k)
            ts = first[rows] + nth * iv[rows]
            idx = idx[rows]
        else:
            ts = first.copy()
        order = np.argsort(ts, kind="stable")  # idx ascending within a stamp
        idx, ts = idx[order], ts[order]
        true = truth(ts, self._src[idx])
        if self._people is not None:
            true = self._people.apply(idx, true)
        sd = self._noise_abs[idx] + self._noise_rel[idx] * np.abs(true)
        noise = sd * self._rng.standard_normal(idx.size)
        value = true * self._gain[idx] + self._bias[idx] + noise
        batch = faults.distort(SampleBatch(idx, ts, value))
        batch.value = np.clip(
            _quantise(batch.value, self._res[idx]), self._low[idx], self._high[idx]
        )
        return batch


def _quantise(value: np.ndarray, res: np.ndarray) -> np.ndarray:
    """Round to the resolution; divide by an exact 1/res so 0.01 steps print as 21.57."""
    fine = res < 1.0
    scale = np.where(fine, np.round(1.0 / np.where(fine, res, 1.0)), 1.0)
    coarse = np.where(fine, 1.0, res)
    return np.asarray(np.round(value * scale / coarse) * coarse / scale)


def _first(a: float | None, b: float) -> float:
    return b if a is None else a
