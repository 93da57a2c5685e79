"""Zone consensus: is one sensor wrong, or has the room changed?

A real change in a room (doors open, heating fails, a crowd arrives) moves
every sensor of a kind in it; a failing sensor moves alone. Each reading is
compared with the median of the latest readings of the *other* sensors of the
same kind in the zone, in units of their median absolute deviation (MAD),
which one broken neighbour cannot drag. The deviation must persist for a few
readings, so a whole-room step that reaches the sensors one after another is
not mistaken for disagreement.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

from twin.analytics.anomaly.detection import Detection, DetectionKind, described, severity
from twin.analytics.anomaly.errors import AnomalyConfigError, AnomalyError

__all__ = ["ConsensusConfig", "UnknownSensorError", "ZoneConsensus"]

# MAD to standard deviation for Gaussian spread.
_MAD_TO_SIGMA = 1.4826


class UnknownSensorError(AnomalyError, KeyError):
    """A reading for a sensor that is not part of this zone group."""


@dataclass(frozen=True, slots=True)
class ConsensusConfig:
    """Settings of one zone group (one kind of sensor in one zone).

    - ``sigma``: robust scales from the others' median that count as disagreeing.
    - ``min_scale``: floor of that scale in units (about the sensors' stated
      accuracy): identical neighbours must not make a 0.1-degree offset alarming.
    - ``min_others``: fewer fresh neighbours than this and no judgement is made.
    - ``max_age``: seconds after which a neighbour's last reading is stale.
    - ``persist``: consecutive disagreeing readings before it is reported.
    """

    zone: str = ""
    kind: str = ""
    unit: str = ""
    sigma: float = 4.0
    min_scale: float = 0.5
    min_others: int = 3
    max_age: float = 600.0
    persist: int = 3

    def __post_init__(self) -> None:
        if not (self.sigma > 0.0 and self.min_scale > 0.0 and self.max_age > 0.0):
            raise AnomalyConfigError("sigma, min_scale and max_age must be positive")
        if self.min_others < 2 or self.persist < 1:
            raise AnomalyConfigError("min_others must be >= 2 and persist >= 1")


class ZoneConsensus:
    """Latest reading of each sensor of one kind in one zone; O(1) state per sensor."""

    __slots__ = ("_index", "_runs", "_ts", "_values", "config", "sensors")

    def __init__(self, sensors: Sequence[str], config: ConsensusConfig | None = None) -> None:
        cfg = config if config is not None else ConsensusConfig()
        if len(set(sensors)) != len(sensors):
            raise AnomalyConfigError("sensor ids in a zone group must be unique")
        if len(sensors) < cfg.min_others + 1:
            raise AnomalyConfigError(
                f"a zone group needs at least {cfg.min_others + 1} sensors, got {len(sensors)}"
            )
        self.config = cfg
        self.sensors = tuple(sensors)
        self._index = {sensor: i for i, sensor in enumerate(self.sensors)}
        self._values = np.full(len(sensors), np.nan)
        self._ts = np.full(len(sensors), -np.inf)
        self._runs = np.zeros(len(sensors), dtype=np.int64)

    def deviation(self, sensor: str, ts: float, value: float) -> tuple[float, float, float, int]:
        """(robust z, median, scale, count) of ``value`` against the others' fresh readings.

        ``z`` is NaN when fewer than ``min_others`` neighbours are fresh at ``ts``.
        """
        i = self._index_of(sensor)
        cfg = self.config
        fresh = (ts - self._ts) <= cfg.max_age
        fresh[i] = False
        others = self._values[fresh]
        if len(others) < cfg.min_others:
            return math.nan, math.nan, math.nan, len(others)
        median = float(np.median(others))
        mad = float(np.median(np.abs(others - median)))
        scale = max(mad * _MAD_TO_SIGMA, cfg.min_scale)
        return (value - median) / scale, median, scale, len(others)

    def update(self, sensor: str, ts: float, value: float) -> list[Detection]:
        """Record a reading; a detection when this sensor has disagreed ``persist`` times."""
        i = self._index_of(sensor)
        if not (math.isfinite(ts) and math.isfinite(value)):
            raise AnomalyError(f"reading must be finite, got ts={ts} value={value}")
        if ts < self._ts[i]:
            return []  # late reading: the newer one stands
        z, median, scale, count = self.deviation(sensor, ts, value)
        self._values[i] = value
        self._ts[i] = ts
        cfg = self.config
        if math.isnan(z) or abs(z) < cfg.sigma:
            self._runs[i] = 0
            return []
        self._runs[i] += 1
        if self._runs[i] != cfg.persist:
            return []
        unit, kind = cfg.unit, cfg.kind or "same-kind"
        return [
            described(
                DetectionKind.ZONE_DISAGREEMENT,
                sensor,
                ts,
                value,
                severity(abs(z), cfg.sigma),
                "anomaly.zone_disagreement.zone" if cfg.zone else "anomaly.zone_disagreement",
                {
                    "zone": cfg.zone,
                    "value": value,
                    "unit": unit,
                    "others": count,
                    "sensor_kind": kind,
                    "median": median,
                    "spread": scale,
                    "sigma": round(abs(z), 1),
                    "readings": cfg.persist,
                },
            )
        ]

    def _index_of(self, sensor: str) -> int:
        try:
            return self._index[sensor]
        except KeyError:
            raise UnknownSensorError(sensor) from None
