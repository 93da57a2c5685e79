"""All live analytics of one venue behind one synchronous ``process(readings)`` call."""

from __future__ import annotations

from collections.abc import Sequence

from ingest.contract import Reading, TrackFrame
from twin.live_analytics.anomalies import AnomalyWatch
from twin.live_analytics.config import AnalyticsConfig
from twin.live_analytics.conservation import ConservationTracker
from twin.live_analytics.crowd_blocks import crowd_tracker
from twin.live_analytics.results import AnalyticsUpdate, SensorAnomaly, ZoneCrowd
from twin.rules import Metric, MetricSample, RuleCleared, RuleEngine, RuleFired, Scope
from twin.venue import SensorKind, Venue

__all__ = ["VenueAnalytics", "metric_samples"]


class VenueAnalytics:
    """Anomaly, crowd and conservation state of one venue, and its rule engine.

    State is bounded by the venue's sensors, zones, gates, artefacts and rules;
    nothing grows with the number of readings.
    """

    def __init__(self, venue: Venue, config: AnalyticsConfig | None = None) -> None:
        cfg = config or AnalyticsConfig()
        self.venue = venue
        self.config = cfg
        self.anomalies = AnomalyWatch(venue, cfg.anomaly_active_s)
        self.crowd = crowd_tracker(venue, cfg)
        self.conservation = ConservationTracker(venue, cfg)
        self.rules = RuleEngine(
            venue.rules,
            {
                Scope.ZONE: [z.id for z in venue.zones],
                Scope.ARTEFACT: [a.id for a in venue.artefacts],
                Scope.SENSOR: [s.id for s in venue.sensors],
            },
        )
        self._co2 = {s.id: s.zone for s in venue.sensors if s.kind is SensorKind.CO2}
        # Latest CO2 value per sensor, grouped by zone (a zone's mean without a scan).
        self._latest_co2: dict[str, dict[str, float]] = {}
        self._want_values = Metric.SENSOR_VALUE.value in self.rules.metrics
        self.readings = 0
        self.newest: float | None = None  # device time of the newest reading

    def process(
        self, readings: Sequence[Reading | TrackFrame]
    ) -> tuple[AnalyticsUpdate, list[RuleFired | RuleCleared]]:
        """Run readings (of this venue) through every analytic, then the rules.

        A people tracker's frames (positions) come in arrival order with the
        readings; the tracker's count is among the readings. A crowd step
        ends at the newest message's device time once ``crowd_step_s`` has
        passed since the last, and is taken when a newer message arrives, in
        this batch or a later one: the steps depend on the messages and their
        order only. The update carries the last step taken (``crowd``,
        ``flows``) and the earlier ones (``earlier_steps``); the rules see
        every step.
        """
        anomalies: list[SensorAnomaly] = []
        zones: set[str] = set()
        artefacts: set[str] = set()
        co2_zones: set[str] = set()
        values: list[MetricSample] = []
        steps: list[tuple[ZoneCrowd, ...]] = []
        stepped_at = 0.0  # device time of the last crowd step taken in this batch
        crowd_sensors = self.crowd.handles
        cons_sensors = self.conservation.handles
        step_s = self.config.crowd_step_s
        newest = None
        for r in readings:
            if r.venue != self.venue.id:
                continue
            # Crowd steps fall on the messages' own time, not at batch ends:
            # the first message newer than a due step's end closes it, so the
            # same ordered messages give the same steps however they are
            # batched (all readings sharing the end's timestamp are in it).
            last = self.newest
            if last is None or r.ts > last:
                start = self.crowd.step_start
                if last is not None and start is not None and last - start >= step_s:
                    crowd = self._step(last)
                    if crowd:
                        steps.append(crowd)
                        stepped_at = last
                self.newest = r.ts
            newest = r.ts if newest is None or r.ts > newest else newest
            if isinstance(r, TrackFrame):
                self.crowd.observe_track(r)
                continue
            self.readings += 1
            found = self.anomalies.update(r.sensor, r.ts, r.value)
            if found is not None:
                anomalies.append(found)
            if r.sensor in crowd_sensors:
                self.crowd.update(r.sensor, r.ts, r.value)
            if r.sensor in cons_sensors:
                self.conservation.update(r.sensor, r.ts, r.value, zones, artefacts)
            zone = self._co2.get(r.sensor)
            if zone is not None:
                self._latest_co2.setdefault(zone, {})[r.sensor] = r.value
                co2_zones.add(zone)
            if self._want_values:
                values.append(MetricSample(Metric.SENSOR_VALUE, r.sensor, r.value, r.ts))
        if newest is None:
            return AnalyticsUpdate(self.venue.id, 0.0), []
        crowd = steps[-1] if steps else ()
        update = AnalyticsUpdate(
            self.venue.id,
            newest,
            tuple(anomalies),
            crowd,
            tuple(c for z in sorted(zones) if (c := self.conservation.zone(z, newest))),
            tuple(self.conservation.artefact(a, newest) for a in sorted(artefacts)),
            self.crowd.flows(stepped_at) if crowd else (),
            tuple(steps[:-1]),
        )
        samples = metric_samples(update)
        samples += values
        for zone in co2_zones:
            vals = self._latest_co2[zone].values()
            samples.append(MetricSample(Metric.ZONE_CO2, zone, sum(vals) / len(vals), newest))
        return update, self.rules.evaluate(samples)

    def _step(self, now: float, *, final: bool = False) -> tuple[ZoneCrowd, ...]:
        """One crowd step ending at device time ``now``, with the watch's verdicts so far."""
        # A counter the watch reports stopped is out of service for the estimate.
        soft = self.config.suspect_silent_counters != "off"
        silent = self.anomalies.silent_counters() if soft else ()
        self.crowd.distrust(self.anomalies.stopped_counters(), silent)
        return self.crowd.advance(now, final=final)

    @property
    def crowd_pending(self) -> bool:
        """Readings arrived after the last crowd step: :meth:`finish` would publish one."""
        start = self.crowd.step_start
        return self.newest is not None and start is not None and self.newest > start

    def finish(self, now: float | None = None) -> AnalyticsUpdate:
        """End of a replay or run: publish the partial crowd step still pending.

        ``now`` is device time (default: the newest reading's).
        """
        now = self.newest if now is None else now
        if now is None:
            return AnalyticsUpdate(self.venue.id, 0.0)
        crowd = self._step(now, final=True)
        return AnalyticsUpdate(
            self.venue.id, now, crowd=crowd, flows=self.crowd.flows(now) if crowd else ()
        )

    def tick(
        self, now: float
    ) -> tuple[list[SensorAnomaly], list[str], list[RuleFired | RuleCleared]]:
        """Watchdogs at ``now``: new dropouts, expired anomaly kinds, rule hold times.

        Returns (new dropout results, ``sensor/kind`` of expired anomalies, rule actions).
        """
        silent = self.anomalies.check_silence(now)
        expired = self.anomalies.expire(now)
        samples = [MetricSample(Metric.SENSOR_ANOMALY, a.sensor, a.active, now) for a in silent]
        samples += [
            MetricSample(Metric.SENSOR_ANOMALY, e.sensor, self.anomalies.active(e.sensor), now)
            for e in expired
        ]
        actions = self.rules.evaluate(samples)
        actions += self.rules.tick(now)
        return silent, [f"{e.sensor}/{e.kind}" for e in expired], actions


def metric_samples(update: AnalyticsUpdate) -> list[MetricSample]:
    """The rule-engine view of an update: one sample per metric and subject."""
    out: list[MetricSample] = []
    add = out.append
    for a in update.anomalies:
        add(MetricSample(Metric.SENSOR_ANOMALY, a.sensor, a.active, a.ts))
        add(MetricSample(Metric.SENSOR_ANOMALY_SCORE, a.sensor, a.score, a.ts))
    for c in (c for step in update.crowd_steps for c in step):
        add(MetricSample(Metric.ZONE_OCCUPANCY, c.zone, c.occupancy, c.ts))
        add(MetricSample(Metric.ZONE_DENSITY, c.zone, c.density, c.ts))
        add(MetricSample(Metric.ZONE_LEVEL_OF_SERVICE, c.zone, c.level_of_service.value, c.ts))
        if c.capacity_ratio is not None:
            add(MetricSample(Metric.ZONE_CAPACITY_RATIO, c.zone, c.capacity_ratio, c.ts))
    for k in update.climate:
        if k.temperature is not None:
            add(MetricSample(Metric.ZONE_TEMPERATURE, k.zone, k.temperature, k.ts, k.t_band))
        if k.humidity is not None:
            add(MetricSample(Metric.ZONE_HUMIDITY, k.zone, k.humidity, k.ts, k.rh_band))
        if k.dew_point is not None:
            add(MetricSample(Metric.ZONE_DEW_POINT, k.zone, k.dew_point, k.ts))
    for light in update.light:
        add(MetricSample(Metric.ARTEFACT_LUX, light.artefact, light.lux, light.ts))
        if light.dose_ratio is not None:
            add(
                MetricSample(
                    Metric.ARTEFACT_LIGHT_DOSE_RATIO, light.artefact, light.dose_ratio, light.ts
                )
            )
        if light.fraction_used is not None:
            add(
                MetricSample(
                    Metric.ARTEFACT_LIGHT_DOSE_FRACTION,
                    light.artefact,
                    light.fraction_used,
                    light.ts,
                )
            )
    return out
