"""Per-sensor anomaly detection and per-zone consensus for one venue, bounded state."""

from __future__ import annotations

import math
from dataclasses import dataclass

from twin.analytics.anomaly import (
    AnomalyError,
    ConsensusConfig,
    Detection,
    DetectionKind,
    DetectorConfig,
    SensorDetector,
    ZoneConsensus,
)
from twin.analytics.anomaly.corroboration import ZoneCorroboration
from twin.analytics.anomaly.counter_silence import CounterSilence
from twin.analytics.anomaly.motion import RecentMotion
from twin.analytics.anomaly.neighbour_drift import (
    COVARIATE_KIND,
    DriftConfig,
    NeighbourDrift,
    NeighbourSensor,
)
from twin.live_analytics.counter_trust import CounterOutage
from twin.live_analytics.results import SensorAnomaly
from twin.live_analytics.silence_suspicion import SilentCounter
from twin.venue import SensorDef, SensorKind, Venue

__all__ = ["AnomalyWatch", "ExpiredAnomaly", "detector_config", "drift_members"]

# Kinds whose normal day has steps and cycles (lamps switching, visitors arriving):
# a slow drift detector would report every morning.
_NO_DRIFT = {
    SensorKind.LUX,
    SensorKind.PEOPLE_COUNT,
    SensorKind.UV,
    SensorKind.VIBRATION,
    SensorKind.CO2,
}
_STEPPED = {SensorKind.GATE_COUNTER, SensorKind.LUX}
# Head counts (cameras, people trackers) jump whenever a group walks in and sit
# at 0 all night: only silence or an impossible count is the device's fault.
_HEAD_COUNTS = {SensorKind.PEOPLE_COUNT, SensorKind.PEOPLE_TRACKER}
_CONSENSUS_KINDS = {SensorKind.TEMPERATURE, SensorKind.HUMIDITY, SensorKind.CO2}
_NEVER = 10**9
# A calibrated score this high counts as a change for zone corroboration.
_CHANGE_SCORE = 0.3
# A score is trusted as a sign of a room change hours later once its detector
# has seen a whole day (before that every new hour of the day is news to it).
_SETTLED_S = 86400.0
_DEVICE = (DetectionKind.STUCK, DetectionKind.DROPOUT, DetectionKind.OUT_OF_RANGE)
_NOT_A_LEVEL = (DetectionKind.STUCK, DetectionKind.OUT_OF_RANGE)


def detector_config(s: SensorDef) -> DetectorConfig:
    """The detector settings for one sensor from its definition."""
    th = s.thresholds
    common = {
        "sensor": s.id,
        "unit": s.display_unit,
        "physical_min": th.physical_min,
        "physical_max": th.physical_max,
        "expected_interval": s.interval_s,
    }
    if s.kind in _STEPPED or s.kind in _HEAD_COUNTS:
        # A cumulative counter ramps all day and rests all night; lamps switch and
        # clouds pass: steps are normal here, so only a silent, stuck or impossible
        # sensor is a fault (stuck only for lux: a counter rests all night; a
        # counter's stop is judged against the others, CounterSilence).
        return DetectorConfig(
            **common,  # type: ignore[arg-type]
            spike_sigma=None,
            step_sigma=None,
            drift_sigma=None,
            stuck_count=30 if s.kind is SensorKind.LUX else _NEVER,
        )
    drift = None if s.kind in _NO_DRIFT else 5.0
    return DetectorConfig(**common, drift_sigma=drift)  # type: ignore[arg-type]


@dataclass(frozen=True, slots=True)
class ExpiredAnomaly:
    sensor: str
    kind: str


def drift_members(venue: Venue, config: DriftConfig | None) -> list[NeighbourSensor]:
    """The sensors whose drift is judged against their neighbours, and the covariates."""
    covariate = config is not None and config.trend.covariate
    outdoor = {z.id: z.outdoor for z in venue.zones}
    members = []
    for s in venue.sensors:
        if s.kind not in _CONSENSUS_KINDS:
            continue
        judged = s.kind not in _NO_DRIFT
        # CO2's drift is not judged; with the covariate its change is learnt.
        if judged or (covariate and s.kind.value == COVARIATE_KIND):
            members.append(
                NeighbourSensor(
                    s.id, s.zone, s.kind.value, s.display_unit, judged, outdoor.get(s.zone, False)
                )
            )
    return members


class AnomalyWatch:
    """Detectors of every sensor of a venue; remembers each kind's last detection."""

    def __init__(
        self, venue: Venue, active_s: float, drift_config: DriftConfig | None = None
    ) -> None:
        self._active_s = active_s
        # Drift against the same-kind neighbours where a sensor has enough of them:
        # a room's or the venue's change moves them all and cancels. It needs two
        # days (a day-over-day change, then a day of them); until then the drift
        # is not judged (DriftConfig.own_history_stand_in: the own-history
        # detector's reports there were at chance). Only a sensor with no
        # neighbour of its kind keeps its own-history drift detector.
        self._neighbour_drift = NeighbourDrift(drift_members(venue, drift_config), drift_config)
        self._detectors = {s.id: SensorDetector(detector_config(s)) for s in venue.sensors}
        self._groups: dict[str, ZoneConsensus] = {}
        members: dict[tuple[str, SensorKind], list[SensorDef]] = {}
        for s in venue.sensors:
            if s.kind in _CONSENSUS_KINDS:
                members.setdefault((s.zone, s.kind), []).append(s)
        for (zone, kind), group in members.items():
            cfg = ConsensusConfig(zone=zone, kind=kind.value, unit=group[0].display_unit)
            if len(group) >= cfg.min_others + 1:
                consensus = ZoneConsensus([s.id for s in group], cfg)
                for s in group:
                    self._groups[s.id] = consensus
        # A change several climate sensors of a zone see is the room's (door, heating).
        climate = [s for s in venue.sensors if s.kind in _CONSENSUS_KINDS]
        per_zone: dict[str, int] = {}
        for s in climate:
            per_zone[s.zone] = per_zone.get(s.zone, 0) + 1
        corroborated = {s.id: s.zone for s in climate if per_zone[s.zone] >= 2}
        # How far each of them moved lately: a held level shift is the room's if
        # a zone mate moved far more than usual with it (a door: CO2, humidity).
        self._motion = RecentMotion()
        self._corroboration = ZoneCorroboration(corroborated, self._motion)
        # A gate counter whose count stops while the venue's others count.
        self._counters = CounterSilence(
            {s.id: s.interval_s for s in venue.sensors if s.kind is SensorKind.GATE_COUNTER},
            venue.timezone,
        )
        self._stopped: set[str] = set()  # counters reported stopped, until they count
        self._first_ts: dict[str, float] = {}  # one float per sensor
        # sensor -> {kind: last detection time}; at most 7 kinds per sensor.
        self._last: dict[str, dict[str, float]] = {}

    def update(self, sensor: str, ts: float, value: float) -> SensorAnomaly | None:
        """Run one reading; a result when it detected something or changed the active set."""
        det = self._detectors.get(sensor)
        if det is None:
            return None
        try:
            late = det.late_readings
            found: list[Detection] = det.update(ts, value)
            group = self._groups.get(sensor)
            if group is not None:
                found += group.update(sensor, ts, value)
            if not self._neighbour_drift.own_history_judges(sensor):
                # Its neighbours judge its drift now; its own history cannot
                # tell a drift from the room's or the venue's slow change (nor,
                # with mates only of another environment, from the weather's).
                found = [d for d in found if d.kind is not DetectionKind.DRIFT]
            if det.late_readings == late and not any(d.kind in _NOT_A_LEVEL for d in found):
                # A late or duplicate, stuck or impossible reading is not the sensor's
                # level (the reading after a gap is: a dropout is the silence).
                found += self._neighbour_drift.update(sensor, ts, value)
                if self._corroboration.covers(sensor):
                    self._motion.update(sensor, ts, value)
        except AnomalyError:
            return None
        if self._counters.handles(sensor):
            self._counter_stop(sensor, ts, value, found)
        first = self._first_ts.setdefault(sensor, ts)
        if det.anomaly_score >= _CHANGE_SCORE and not any(d.kind in _DEVICE for d in found):
            # A high score from a stuck or silent sensor is its fault, not the room's.
            self._corroboration.note_change(sensor, ts, settled=ts - first >= _SETTLED_S)
        if found:
            found = self._corroboration.filter(found)
        found += self._corroboration.release_for(sensor, ts)
        if not found:
            return None
        last = self._last.setdefault(sensor, {})
        for d in found:
            last[d.kind.value] = d.ts
        return SensorAnomaly(sensor, ts, det.anomaly_score, tuple(found), frozenset(last))

    def _counter_stop(self, sensor: str, ts: float, value: float, found: list[Detection]) -> None:
        """A stopped counter's detection; its stuck kind stays active until it counts."""
        verdict = self._counters.update(sensor, ts, value)
        if isinstance(verdict, Detection):
            found.append(verdict)
            self._stopped.add(sensor)
        elif verdict is True:
            self._stopped.discard(sensor)
            # It counts again: the alarm ends at the next expiry check.
            self._last.setdefault(sensor, {})[DetectionKind.STUCK.value] = -math.inf
        elif self._counters.stopped(sensor):
            self._last.setdefault(sensor, {})[DetectionKind.STUCK.value] = ts

    def stopped_counters(self) -> tuple[CounterOutage, ...]:
        """Gate counters reported stopped now, with the crossings they have missed.

        The crowd estimator takes them as out of service (``counter_trust.py``).
        """
        out = []
        for sensor in sorted(self._stopped):
            missed = self._counters.missed(sensor)
            if missed is not None:
                out.append(CounterOutage(sensor, *missed))
        return tuple(out)

    def silent_counters(self) -> tuple[SilentCounter, ...]:
        """Gate counters silent while others count, not (yet) reported stopped.

        With the detector's evidence against them and what they would have
        missed; the crowd estimator's soft distrust (``silence_suspicion.py``).
        """
        out = []
        for sensor in self._counters.sensors:
            got = self._counters.silence(sensor)
            if got is not None:
                out.append(SilentCounter(sensor, *got))
        return tuple(out)

    @property
    def drift_sensors(self) -> tuple[str, ...]:
        """The sensors whose hourly means the neighbour drift check keeps."""
        return self._neighbour_drift.sensors

    def resume_drift(self, sensor: str, ts: float, hourly_mean: float) -> None:
        """One past hour's mean of a :attr:`drift_sensors` sensor, at a time
        within that hour, in time order (``serve`` at start-up, from the store).

        The neighbour check keeps hourly means only, so stored hours' means give
        it nearly the state the readings did (the live path leaves stuck
        readings out, the store keeps them); detections of those past hours
        are not raised again.
        """
        self._neighbour_drift.update(sensor, ts, hourly_mean)

    def ready_for_drift(self, sensor: str) -> bool:
        """Whether the sensor's drift is judged against its neighbours yet."""
        return self._neighbour_drift.ready(sensor)

    def active(self, sensor: str) -> frozenset[str]:
        return frozenset(self._last.get(sensor, ()))

    def expire(self, now: float) -> list[ExpiredAnomaly]:
        """Kinds not detected for ``active_s``; they stop being active."""
        gone: list[ExpiredAnomaly] = []
        for sensor, kinds in list(self._last.items()):
            for kind, ts in list(kinds.items()):
                if now - ts >= self._active_s:
                    del kinds[kind]
                    gone.append(ExpiredAnomaly(sensor, kind))
            if not kinds:
                del self._last[sensor]
        return gone

    def check_silence(self, now: float) -> list[SensorAnomaly]:
        """Dropouts of sensors that went quiet, and held detections now released.

        A watchdog for :meth:`expire`; level shifts and drifts of a zone's
        climate sensors come out here once no neighbour corroborated them.
        """
        out: list[SensorAnomaly] = []
        for held in self._corroboration.release(now):
            # Held level shifts and drifts of a silent sensor, never corroborated.
            last = self._last.setdefault(held.sensor, {})
            last[held.kind.value] = held.ts
            score = self._detectors[held.sensor].anomaly_score
            out.append(SensorAnomaly(held.sensor, now, score, (held,), frozenset(last)))
        for sensor, det in self._detectors.items():
            d = det.check_silence(now)
            if d is None:
                continue
            last = self._last.setdefault(sensor, {})
            known = d.kind.value in last
            last[d.kind.value] = now  # still silent: keep the dropout active
            if not known:
                out.append(SensorAnomaly(sensor, now, det.anomaly_score, (d,), frozenset(last)))
        return out
