"""Typed results the live analytics publish (to the viewer and the rules)."""

from __future__ import annotations

from dataclasses import dataclass

from twin.analytics.anomaly import Detection
from twin.analytics.conservation import ClimateClass
from twin.analytics.crowd import CapacityLevel, LevelOfService, SafetyBand

__all__ = [
    "AnalyticsUpdate",
    "ArtefactLight",
    "GateFlow",
    "SensorAnomaly",
    "ZoneClimate",
    "ZoneCrowd",
]


@dataclass(frozen=True, slots=True)
class SensorAnomaly:
    """A sensor's anomaly picture after a reading: new detections and active kinds."""

    sensor: str
    ts: float
    score: float
    detections: tuple[Detection, ...]
    active: frozenset[str]


@dataclass(frozen=True, slots=True)
class ZoneCrowd:
    zone: str
    ts: float
    occupancy: float
    occupancy_sd: float
    density: float
    level_of_service: LevelOfService
    safety: SafetyBand
    capacity: int | None
    capacity_ratio: float | None
    capacity_level: CapacityLevel | None
    # People per second entering and leaving over the last step (counter
    # flows corrected for the counters' estimated misses), mean stay by
    # Little's law over the recent steps, and walking speed where measured.
    inflow_per_s: float | None = None
    outflow_per_s: float | None = None
    dwell_s: float | None = None
    speed_m_s: float | None = None
    # From people trackers' positions (None where no tracker watches the
    # zone): classic density (people in the polygon / area) and Voronoi density.
    tracked_density: float | None = None
    voronoi_density: float | None = None
    # Whether the zone's people trackers are all offline (None: no tracker);
    # then the tracker figures above are None and its crossings unknown.
    tracker_offline: bool | None = None
    # Where its trackers saw people in their latest frame (venue metres, at most
    # a few hundred), for the viewer; None where no tracker sees the zone now.
    tracked_positions: tuple[tuple[float, float], ...] | None = None


@dataclass(frozen=True, slots=True)
class GateFlow:
    """People per second through a gate over the last step, each way (None: not counted)."""

    gate: str
    ts: float
    forward_per_s: float | None
    backward_per_s: float | None
    # Its gate counters reported stopped: the occupancy estimate imputes their
    # crossings (their way's flow above is then None) until they count again.
    distrusted_counters: tuple[str, ...] = ()


@dataclass(frozen=True, slots=True)
class ZoneClimate:
    """Latest zone means, dew point and the ASHRAE class status.

    ``rh_band``/``t_band`` are the limits of the target class around the current
    set point (None until the classifier has a day of history).
    """

    zone: str
    ts: float
    temperature: float | None
    humidity: float | None
    dew_point: float | None
    target: ClimateClass
    class_now: ClimateClass | None
    percent_in_target: float | None
    rh_band: tuple[float, float] | None
    t_band: tuple[float, float] | None


@dataclass(frozen=True, slots=True)
class ArtefactLight:
    """Light dose of one artefact (CIE 157:2004 budget); ratio > 1 runs ahead of budget."""

    artefact: str
    ts: float
    lux: float
    year_lxh: float
    budget_lxh: float | None
    fraction_used: float | None
    dose_ratio: float | None
    exhausted_at: float | None


@dataclass(frozen=True, slots=True)
class AnalyticsUpdate:
    """What one batch of readings changed in one venue.

    ``crowd`` and ``flows`` are the last crowd step the batch closed (the live
    view shows them); ``earlier_steps`` the steps it closed before that, oldest
    first, which the rules and the capacity alarms see too, so that a batch
    spanning several steps acts as the same readings one by one would.
    """

    venue: str
    ts: float
    anomalies: tuple[SensorAnomaly, ...] = ()
    crowd: tuple[ZoneCrowd, ...] = ()
    climate: tuple[ZoneClimate, ...] = ()
    light: tuple[ArtefactLight, ...] = ()
    flows: tuple[GateFlow, ...] = ()
    earlier_steps: tuple[tuple[ZoneCrowd, ...], ...] = ()

    @property
    def crowd_steps(self) -> tuple[tuple[ZoneCrowd, ...], ...]:
        """Every crowd step the batch closed, oldest first (the last is ``crowd``)."""
        return (*self.earlier_steps, self.crowd)

    def __bool__(self) -> bool:
        return bool(self.anomalies or self.crowd or self.climate or self.light or self.flows)
