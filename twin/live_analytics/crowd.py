"""Occupancy, flow, dwell, density, level of service and capacity per zone, live.

Gate counters report cumulative crossings of their gate in their
``direction`` (``forward``: the gate's ``from_zone -> to_zone``); their
increments drive the occupancy estimator
(:class:`~twin.analytics.crowd.OccupancyEstimator`) on the channel they
measure. Two counters on the same channel (one each side of a door) are
averaged. ``people_count`` sensors (cameras) are direct measurements of
their zone, corrected for the people a camera cannot see in a dense crowd;
``people_tracker`` counts likewise, corrected for dropped tracks, and their
positions give density and speed (:mod:`twin.live_analytics.tracker_zones`);
with track ids, their line crossings of a gate are that gate's counting
channel wherever no counter counts that way.

A gate counted forward but not backward leaves its return flow unmeasured:
it is modelled as the zone's occupancy leaving with a mean stay of
``dwell_s``, less the exits measured out of the zone; such zones, and zones
with no counted boundary at all, also get the process noise of their
unmeasured turnover. Transit zones (``Zone.transit``) and zones with a
configured mean stay get Little's-law pseudo-measurements
(:mod:`twin.analytics.crowd.dwell_prior`); during a venue's ``empty_hours``
every zone is observed empty. See docs/crowd.md.
"""

from __future__ import annotations

import dataclasses
import math
from collections.abc import Iterable, Mapping

import numpy as np
import scipy.sparse as sp

from ingest.contract import TrackFrame
from twin.analytics.crowd import (
    AreaType,
    CapacityArea,
    DwellTimeEstimator,
    OccupancyEstimator,
    assess_density,
    capacity_level,
    carrying_capacity,
)
from twin.analytics.crowd.latent_crossings import LatentCrossings
from twin.live_analytics.config import AnalyticsConfig
from twin.live_analytics.counter_reading import CounterReading
from twin.live_analytics.counter_trust import CounterOutage, DistrustedCounters
from twin.live_analytics.counting_layout import counting_layout
from twin.live_analytics.direct_counts import (
    direct_measurements,
    restart_from_first_counts,
    tracker_miss_prior,
)
from twin.live_analytics.empty_hours import EmptyHours
from twin.live_analytics.results import GateFlow, ZoneCrowd
from twin.live_analytics.silence_learning import SilenceLearning
from twin.live_analytics.silence_suspicion import SilenceSuspicion, SilentCounter
from twin.live_analytics.tracker_zones import TrackedZone, TrackerZones
from twin.live_analytics.unobserved_flow import TrackerChannels, UnobservedFlow
from twin.live_analytics.zone_priors import zone_priors
from twin.venue import SensorKind, Venue

__all__ = ["CounterReading", "CrowdTracker"]

# Dwell by Little's law over the last 15 minutes, once 5 people have entered.
DWELL_WINDOW_S = 900.0
DWELL_MIN_ENTRIES = 5.0


class CrowdTracker:
    """Occupancy of every zone of one venue from its counters; O(zones + gates) state."""

    def __init__(self, venue: Venue, config: AnalyticsConfig) -> None:
        self._cfg = config
        self._zones = tuple(z.id for z in venue.zones)
        self._area = {z.id: z.area_m2 for z in venue.zones}
        self._gates = tuple(g.id for g in venue.gates)
        # Cameras and people trackers both count their zone directly.
        direct = (SensorKind.PEOPLE_COUNT, SensorKind.PEOPLE_TRACKER)
        cams = [s for s in venue.sensors if s.kind in direct]
        self._direct = {s.id: s.zone for s in cams}
        self._tracker_ids = {s.id for s in cams if s.kind is SensorKind.PEOPLE_TRACKER}
        self._tracked_zones = {self._direct[s] for s in self._tracker_ids}
        self._tracks = TrackerZones(venue)
        layout = counting_layout(venue, config, self._tracks.watched_gates())
        # sensor -> channel index (2 gate + way); counters per channel (averaged).
        self._channel = layout.channel
        self._per_channel = layout.per_channel
        n_ch = 2 * len(self._gates)
        self._counters = {s: CounterReading() for s in self._channel}
        # Counters reported stopped: their channel is imputed (counter_trust.py).
        self._distrust = DistrustedCounters(self._channel, self._per_channel)
        # Counters silent but not yet reported stopped: a soft distrust (silence_suspicion.py).
        self._suspicion = SilenceSuspicion(
            self._channel, self._per_channel, config.counter_stopped_prior
        )
        self._imputed = np.zeros(n_ch, dtype=bool)  # this step's channels fed by an outage
        self._tracked_ch = layout.tracked_ch
        self._camera = {s.id: k for k, s in enumerate(cams)}
        self._cam_zone = {k: s.zone for k, s in enumerate(cams)}
        # Crossings of an offline tracker are unknown, not zero (unobserved_flow.py).
        self._tracker_ch = TrackerChannels(self._tracked_ch, self._gates)
        self._return_gate = layout.return_gate
        self._exits = layout.exits
        touching = layout.touching
        open_zones = layout.open_zones
        # A stated 0 is a known start ("empty before opening"), not the assumption.
        initial = {
            z.id: z.initial_occupancy for z in venue.zones if z.initial_occupancy is not None
        }
        initial.update(config.initial_occupancy)
        # Zones whose start is only the assumption "empty" (see restart_from_first_counts).
        self._assumed = {z for z in self._zones if z not in initial}
        occupancy = dataclasses.replace(
            config.occupancy, miss_spread_counted=config.miss_spread_counted
        )
        self._estimator = OccupancyEstimator(
            self._zones, venue.gates, occupancy, initial, open_zones, [s.zone for s in cams]
        )
        zi = self._estimator.graph.zone_index
        # A silence's missed crossings as a state, fused at the detection (latent_crossings.py).
        latent = config.silence_latent and config.suspect_silent_counters == "state"
        self._latent = LatentCrossings(self._estimator) if latent else None
        # What the cameras learnt while a stopped counter read 0 (silence_learning.py).
        self._silence = SilenceLearning(self._estimator, [s.zone for s in cams])
        # A crossing is missed when the person's track is dropped in either frame.
        lost = 1.0 - (1.0 - config.tracker_dropout) ** 2
        for ch in self._tracked_ch.tolist():
            self._estimator.set_channel_prior(ch, lost, 2.0 * config.tracker_dropout_sd)
        # A tracker's count arrives already divided by (1 - tracker_dropout)
        # (direct_counts.py): its remaining miss share starts at 0, not at a
        # camera's expected share (which counted its dropouts twice, +2 %),
        # and its spread is the dropout's between devices, which its readings'
        # noise no longer repeats.
        for sid in self._tracker_ids:
            self._estimator.set_camera_prior(self._camera[sid], 0.0, tracker_miss_prior(config))
        inc = self._estimator.graph.incidence
        self._into = sp.csr_matrix(np.clip(inc, 0.0, None))
        self._out_of = sp.csr_matrix(np.clip(-inc, 0.0, None))
        priors = zone_priors(venue, config, zi, touching, open_zones, {s.zone for s in cams})
        self._prior, self._quiet, self._speed = priors.dwell, priors.quiet, priors.speed
        self._quiet_on = self._quiet.active
        # Little's law needs a window longer than the stays it measures (a
        # gallery visit lasts minutes), and enough arrivals to mean something.
        window = max(1, math.ceil(DWELL_WINDOW_S / config.crowd_step_s))
        self._dwell = {z: DwellTimeEstimator(window, DWELL_MIN_ENTRIES) for z in self._zones}
        self._capacity: dict[str, int] = {}
        # Usable area: the model's own net area (IFC) when the venue file has
        # one, else the floor polygon's (Zone.usable_area_source says which).
        for z in venue.zones:
            if z.space_per_visitor_m2 is not None:
                cc = carrying_capacity(
                    [CapacityArea(z.id, z.usable_area_m2, z.space_per_visitor_m2)], 1.0, 1.0
                )
                if cc.instantaneous > 0:
                    self._capacity[z.id] = cc.instantaneous
        hours = config.empty_hours.get(venue.id)
        self._empty = None if hours is None else EmptyHours(venue.id, hours, venue.timezone)
        self._pending = np.zeros(n_ch)
        # camera sensor -> (device time, count), in arrival order
        self._direct_pending: dict[str, list[tuple[float, float]]] = {}
        self._t: float | None = None
        self._last_flow = np.zeros(n_ch)
        self._measured = layout.measured
        # Every channel's recent counts per second (15 minutes): a step's expected count.
        self._recent = UnobservedFlow(n_ch)
        self._all_ch = np.arange(n_ch)
        self._no_ch = np.zeros(0, dtype=np.int64)

    @property
    def handles(self) -> frozenset[str]:
        return frozenset(self._channel) | frozenset(self._direct)

    @property
    def step_start(self) -> float | None:
        """Device time the step in progress began (None before the first reading)."""
        return self._t

    @property
    def modelled_gates(self) -> frozenset[str]:
        """Gates whose return flow is modelled because nothing counts it."""
        return frozenset(self._gates[i] for i in self._return_gate.values())

    @property
    def estimator(self) -> OccupancyEstimator:
        return self._estimator

    def capacity(self, zone: str) -> int | None:
        return self._capacity.get(zone)

    @property
    def distrusted(self) -> frozenset[str]:
        """Gate counters whose counts the estimate does not use now (reported stopped)."""
        return self._distrust.sensors

    def distrust(
        self, outages: Iterable[CounterOutage], silent: Iterable[SilentCounter] = ()
    ) -> None:
        """The gate counters reported stopped now; every other counter is trusted.

        Call it before :meth:`advance` with the anomaly watch's verdicts.
        ``silent``: counters silent but not reported stopped, with the
        evidence against them; used if ``suspect_silent_counters`` is on.
        """
        self._distrust.set(outages)
        if self._cfg.suspect_silent_counters != "off":
            self._suspicion.set(silent, self._distrust.sensors)

    def set_occupancy(self, zone: str, count: float, sd: float = 0.0) -> None:
        """An operator's head count (or a known start): the zone holds ``count`` people now."""
        self._estimator.set_occupancy(zone, count, sd)
        self._assumed.discard(zone)

    def observe_track(self, frame: TrackFrame) -> None:
        """A people tracker's positions (its count comes as a reading, see :meth:`update`)."""
        self._tracks.add(frame)

    def update(self, sensor: str, ts: float, value: float) -> None:
        if sensor in self._tracker_ids:
            self._tracks.seen(sensor, ts)
        channel = self._channel.get(sensor)
        if channel is not None:
            delta = self._counters[sensor].increment(ts, value)
            if delta > 0.0:
                self._pending[channel] += delta
            if self._quiet_on and not self._distrust.stopped(sensor):
                self._quiet.reading(channel, ts, delta > 0.0)
        elif sensor in self._direct and value >= 0.0 and math.isfinite(value):
            self._direct_pending.setdefault(sensor, []).append((ts, value))
        if self._t is None:
            self._t = ts

    def advance(self, now: float, *, final: bool = False) -> tuple[ZoneCrowd, ...]:
        """Fold in what arrived since the last step if ``crowd_step_s`` has passed.

        ``final`` publishes a partial step (end of a replay or a run) so the
        last readings are not lost.
        """
        if self._t is None or now <= self._t:
            return ()
        if now - self._t < self._cfg.crowd_step_s and not final:
            return ()
        start, dt, self._t = self._t, now - self._t, now
        est = self._estimator
        occ = est.clipped()
        zi = est.graph.zone_index
        state = self._cfg.suspect_silent_counters == "state"
        booked = self._suspicion.booked if state else None
        latent = self._latent.channels if self._latent is not None else frozenset()
        counts, imputed, imputed_var = self._distrust.counts(self._pending, booked, latent)
        self._tracker_ch.fill(counts, self._tracks.take_crossings(start, now), dt)
        for zone, gate in self._return_gate.items():
            dwell = self._cfg.zone_dwell_s.get(zone, self._cfg.dwell_s)
            leaving = occ[zi[zone]] * (1.0 - math.exp(-dt / dwell))
            leaving -= sum(counts[ch] for ch in self._exits[zone])
            if leaving > 0.0:
                counts[2 * gate + 1] += leaving
        # A step's misses are a thinning of the channel's flow, not of what it
        # counted: the corrections scale the recent flow (docs/crowd.md).
        expected = np.where(self._recent.seen, self._recent.rate * dt, counts)
        self._recent.fill(counts, self._all_ch, self._no_ch, dt)
        est.predict_vector(counts, dt, expected)
        self._tracker_ch.widen(est)
        UnobservedFlow.widen(est, imputed, imputed_var)  # the outages' imputed crossings
        if state:  # silent, maybe stopped; given back when it counts again
            self._suspicion.apply(est, self._latent)
        else:
            self._suspicion.widening()
        if self._latent is not None:  # catch-ups fused as the silences' latents
            scale = est.channel_scale()
            for ch, m, v in self._distrust.fused:
                self._latent.fuse(ch, m * scale[ch], v * scale[ch] ** 2)
        self._silence.widen(est, self._distrust.caught_up)
        self._imputed[:] = False
        self._imputed[imputed] = True
        flow = counts * est.channel_scale()
        entries = self._into @ flow
        exits = self._out_of @ flow
        self._prior.step(now, dt, entries)
        predicted = (est.x, est.P.diagonal())  # before fusing: the innovations' reference
        speed, censored = self._speed.shared(), self._speed.censoring()
        rows, z, var = self._prior.pseudo(now, dt, est.clipped(), speed, predicted, censored)
        if rows.size:
            obs = {
                est.graph.zones[r]: (m, math.sqrt(v)) for r, m, v in zip(rows, z, var, strict=True)
            }
            est.observe_many(obs)
        self._quiet.observe(est, entries)
        for sensor in self._tracker_ids & self._direct_pending.keys():
            if not self._tracks.online(sensor, now):  # stale counts of an offline tracker
                del self._direct_pending[sensor]
        if self._direct_pending:
            occ_now = dict(zip(self._zones, est.clipped().tolist(), strict=True))
            obs = direct_measurements(
                self._direct_pending,
                self._direct,
                self._tracker_ids,
                self._camera,
                occ_now,
                self._area,
                self._cfg,
            )
            before = self._silence.before_cameras(est)
            est.observe_cameras(restart_from_first_counts(est, obs, self._cam_zone, self._assumed))
            self._silence.after_cameras(est, before)
        if self._empty is not None and self._empty.contains(now):
            est.observe_empty()
        self._silence.counted(est, self._pending > 0.0)
        self._pending[:] = 0.0
        self._direct_pending.clear()
        self._last_flow = flow / dt
        tracked = self._tracks.step(now)
        return self._results(now, dt, entries, exits, tracked, self._tracks.offline_zones(now))

    def flows(self, now: float) -> tuple[GateFlow, ...]:
        """People per second through each gate over the last step (None where not counted).

        A way no counter counts takes a tracker's line crossings where a
        tracker watches the gate (they are a counting channel too).
        """
        f, m = self._last_flow, self._measured & ~self._tracker_ch.unseen & ~self._imputed
        out = []
        for i, g in enumerate(self._gates):
            fwd = float(f[2 * i]) if m[2 * i] else None
            back = float(f[2 * i + 1]) if m[2 * i + 1] else None
            out.append(GateFlow(g, now, fwd, back, self._distrust.on_gate(i)))
        return tuple(out)

    def _results(
        self,
        now: float,
        dt: float,
        entries: np.ndarray,
        exits: np.ndarray,
        tracked: Mapping[str, TrackedZone],
        offline: frozenset[str],
    ) -> tuple[ZoneCrowd, ...]:
        occ, sd = self._estimator.projected()
        if self._cfg.suspect_silent_counters == "band":  # the silences in progress
            ch, var = self._suspicion.current()
            if ch.size:
                sd = np.sqrt(sd**2 + np.abs(self._estimator.graph.incidence[:, ch]) @ var)
        # A zone beside a channel nobody saw this step has no measured flow.
        unseen = self._tracker_ch.unseen | self._imputed
        guessed = np.abs(self._estimator.graph.incidence[:, unseen]).sum(axis=1) > 0
        out = []
        for i, zone in enumerate(self._zones):
            n = float(occ[i])
            a = assess_density(
                n, self._area[zone], self._cfg.area_types.get(zone, AreaType.WALKWAY)
            )
            dwell = self._dwell[zone]
            dwell.update(dt, n, float(entries[i]))
            speed = self._speed.measure(i, dwell)
            seen = tracked.get(zone)
            if seen is not None and seen.speed_m_s is not None:
                speed = seen.speed_m_s  # measured from tracks beats Little's law
            cap = self._capacity.get(zone)
            out.append(
                ZoneCrowd(
                    zone,
                    now,
                    n,
                    float(sd[i]),
                    a.density_p_m2,
                    a.level_of_service,
                    a.safety,
                    cap,
                    None if cap is None else n / cap,
                    None if cap is None else capacity_level(n, cap),
                    None if guessed[i] else float(entries[i]) / dt,
                    None if guessed[i] else float(exits[i]) / dt,
                    dwell.dwell_time_s,
                    speed,
                    None if seen is None else seen.classic_density,
                    None if seen is None else seen.voronoi_density,
                    (zone in offline) if zone in self._tracked_zones else None,
                    None if seen is None else seen.positions,
                )
            )
        return tuple(out)

    def occupancy(self) -> Mapping[str, float]:
        return self._estimator.estimate().occupancy

    def channel_bias(self) -> Mapping[str, float]:
        """Learned relative bias per counting channel, ``gate:forward`` / ``gate:backward``."""
        return self._estimator.estimate().channel_bias
