"""The venue simulator: visitors, climate, light and sensors of one venue, with ground truth.

Example::

    sim = VenueSimulator(load_sample("museum-wing"), seed=1, start=1_732_525_200.0)
    readings = sim.step(10.0)        # readings sampled during the next 10 s
    sim.occupancy()                  # {"entrance": 12, ...}
    sim.ground_truth.save_jsonl("faults.jsonl")

The same venue, seed, start and fault plan give the same readings, bit for
bit, however the caller steps: the world advances on a fixed grid of
``max_substep_s`` from the start, and a reading carries the world's state at
its own stamp (``simulators/timeline.py``). Only how readings are batched
(and when late ones are released) follows the step lengths.
"""

from __future__ import annotations

import math
import time
from dataclasses import dataclass

import numpy as np

from ingest.contract import Reading, StatusEvent
from simulators.climate import ClimateParams, ZoneClimate
from simulators.clock import SimClock
from simulators.crowd import CrowdModel, CrowdParams
from simulators.device_outages import OutageParams, tracker_outages, with_outages
from simulators.environment import LightingParams, lamp_targets
from simulators.faults import FaultPlan, GroundTruth
from simulators.injector import FaultInjector, SampleBatch
from simulators.people_sensing import PeopleSensing, SensingErrors
from simulators.schedule import DaySchedule, LocalTime
from simulators.sensors import KIND_ORDER, SensorBank
from simulators.timeline import Interval, StateLayout
from simulators.warm_start import prefill
from simulators.weather import Weather, WeatherParams
from simulators.zonegraph import build_zone_graph
from twin.venue import SensorKind, Venue

__all__ = ["DEFAULT_SPACE_PER_VISITOR_M2", "VenueSimulator", "ZoneConditions"]

# Simulator defaults when a zone gives no space_per_visitor_m2 (indoor, outdoor).
DEFAULT_SPACE_PER_VISITOR_M2 = (2.0, 5.0)
_TURNOVER_PER_DAY = 2.5  # default daily visitors = this x total capacity
# Grid states kept for the truth at a past stamp (occupancy_at): an hour at 10 s.
_TRAIL_MAX = 361


@dataclass(frozen=True, slots=True)
class ZoneConditions:
    """True (noise-free) state of one zone."""

    occupancy: int
    temp_c: float
    rh_pct: float
    co2_ppm: float
    lux: float


class VenueSimulator:
    """Simulates any :class:`~twin.venue.Venue`; see the module docstring.

    ``start`` defaults to the wall clock now; ``max_substep_s`` is the world's
    fixed integration step, on a grid from ``start`` (a reading between two
    grid points carries the state at its stamp, ``simulators/timeline.py``;
    :attr:`crowd` and :attr:`climate` hold the grid point ahead); ``sensing``
    sets how gate counters and cameras err (default: as real ones, see
    ``simulators/people_sensing.py``; ``EXACT_SENSING`` for exact counts);
    ``warm_start`` starts with the visitors the hour implies; ``outages``
    takes people trackers offline now and then (``simulators/device_outages.py``;
    ``NO_OUTAGES`` for none); ``local_shift_s`` runs the venue's day that many
    seconds ahead of the clock (visitors, lamps, daylight), readings keep the
    clock's time.
    """

    def __init__(
        self,
        venue: Venue,
        seed: int = 0,
        start: float | None = None,
        faults: FaultPlan | None = None,
        *,
        schedule: DaySchedule | None = None,
        weather: WeatherParams | None = None,
        climate: ClimateParams | None = None,
        crowd: CrowdParams | None = None,
        lighting: LightingParams | None = None,
        max_substep_s: float = 10.0,
        sensing: SensingErrors | None = None,
        warm_start: bool = False,
        outages: OutageParams | None = None,
        local_shift_s: float = 0.0,
    ) -> None:
        self.venue = venue
        self.clock = SimClock(time.time() if start is None else float(start), math.inf)
        self.schedule = schedule or DaySchedule()
        self.lighting = lighting or LightingParams()
        if not max_substep_s > 0:
            raise ValueError(f"max_substep_s must be positive, got {max_substep_s}")
        self._max_sub = max_substep_s
        # Independent streams, so adding a sensor does not change the crowd or weather.
        ss = np.random.SeedSequence(seed)
        r_crowd, r_weather, r_sensor, r_people = (np.random.default_rng(s) for s in ss.spawn(4))
        self._local = LocalTime(venue.timezone, local_shift_s)

        zones = venue.zones
        self._zone_ids = tuple(z.id for z in zones)
        self._area = np.array([z.area_m2 for z in zones])
        self._outdoor = np.array([z.outdoor for z in zones], dtype=bool)
        volume = self._area * np.array([z.height for z in zones])
        spv = np.array(
            [z.space_per_visitor_m2 or DEFAULT_SPACE_PER_VISITOR_M2[int(z.outdoor)] for z in zones]
        )
        self.capacity = np.maximum(1, np.floor(self._area / spv)).astype(np.int64)
        self.daily_visitors = (
            self.schedule.daily_visitors
            if self.schedule.daily_visitors is not None
            else _TURNOVER_PER_DAY * float(self.capacity.sum())
        )
        graph = build_zone_graph(venue)
        exhibit = self._exhibit_zones(venue)
        # Visitors linger where there is something to see and pass through the rest.
        dwell = np.where(
            exhibit,
            60.0 * np.clip(self._area / 15.0, 3.0, 20.0),
            np.minimum(30.0 + self._area / 2.0, 600.0),
        )
        attraction = np.where(exhibit, 3.0, 1.0)
        self.crowd = CrowdModel(graph, self.capacity, dwell, attraction, r_crowd, crowd)
        self.weather = Weather(r_weather, weather)
        self.climate = ZoneClimate(volume, self._area, self._outdoor, climate)
        self._lamp_lux = lamp_targets(venue, self.lighting)
        self._lux = np.zeros(len(zones))
        self._uv = np.zeros(len(zones))

        zone_index = {z: i for i, z in enumerate(self._zone_ids)}
        gate_index = {g: i for i, g in enumerate(graph.gate_ids)}
        self._gate_to = np.array(
            [zone_index.get(g.to_zone or "", -1) for g in venue.gates], dtype=np.int64
        )
        self._gate_from = np.array(
            [zone_index.get(g.from_zone or "", -1) for g in venue.gates], dtype=np.int64
        )
        # Gate counters miss and double-count, cameras under-count (realistic by default).
        self.sensing = PeopleSensing(venue.sensors, self._area, zone_index, r_people, sensing)
        self.sensors = SensorBank(
            venue.sensors, zone_index, gate_index, r_sensor, self.clock.now, self.sensing
        )
        # Trackers' device outages join the fault plan (own random stream, ground truth).
        (r_outage,) = (np.random.default_rng(s) for s in ss.spawn(1))
        extra = tracker_outages(venue, self.clock.now, r_outage, outages or OutageParams())
        self._faults = FaultInjector(venue.id, self.sensors.ids, with_outages(faults, extra))
        self._state = np.zeros(self.sensors.state_size)
        self._layout = StateLayout(
            len(zones),
            len(KIND_ORDER),
            KIND_ORDER.index(SensorKind.PEOPLE_COUNT),
            KIND_ORDER.index(SensorKind.VIBRATION),
            self._gate_to,
            self._gate_from,
            self.lighting.vibration_per_density / self._area,
        )
        if warm_start:  # the visitors the hour implies (simulators/warm_start.py)
            prefill(self, self.clock.now)
        # Settle the climate to the start conditions so the first readings are plausible:
        # the second before the start (at the epoch's hour, a closed venue sent a warm
        # start's visitors to the exit).
        self._advance_world(self.clock.now - 1.0, 1.0)
        # The world's grid: points origin + k * max_substep_s, the states at them
        # (oldest first; the last two bound the clock's now).
        self._origin, self._k = self.clock.now, 0
        self._trail: list[tuple[float, np.ndarray]] = [(self.clock.now, self._state.copy())]
        s = self._trail[0][1]
        self._interval = Interval(self._layout, self.clock.now, s, self.clock.now, s)

    def local_time(self, ts: float) -> tuple[float, int]:
        """Venue-local ``(hour, weekday)`` at ``ts``."""
        return self._local.at(ts)

    @staticmethod
    def _exhibit_zones(venue: Venue) -> np.ndarray:
        with_art = {a.zone for a in venue.artefacts}
        if not with_art:
            return np.ones(len(venue.zones), dtype=bool)
        return np.array([z.id in with_art for z in venue.zones], dtype=bool)

    @property
    def venue_id(self) -> str:
        return self.venue.id

    @property
    def now(self) -> float:
        return self.clock.now

    @property
    def sensor_ids(self) -> tuple[str, ...]:
        return self.sensors.ids

    @property
    def ground_truth(self) -> GroundTruth:
        return self._faults.ground_truth

    def take_status_events(self) -> list[StatusEvent]:
        """Status changes (device offline/online faults) since the last call."""
        events, self._faults.status_events = self._faults.status_events, []
        return events

    def occupancy(self) -> dict[str, int]:
        """True people per zone now."""
        return self.occupancy_at(self.clock.now)

    def occupancy_at(self, ts: float, nearest: bool = False) -> dict[str, int]:
        """True people per zone at ``ts``: now, or a past stamp since the start of the last step.

        The truth behind a reading stamped ``ts`` (a step ends at ``now``;
        its readings are stamped before). Other times raise ``ValueError``;
        with ``nearest`` they get the nearest kept state (a late reading's
        or a skewed clock's stamp, for the publisher's tracker frames).
        """
        if nearest:
            ts = min(max(ts, self._trail[0][0]), self.clock.now)
        if ts > self.clock.now:
            raise ValueError(f"the state at {ts} is not kept: it is after now ({self.clock.now})")
        occ = self._state_at(ts)[self._layout.occ]
        return {z: int(n) for z, n in zip(self._zone_ids, occ.tolist(), strict=True)}

    def conditions(self) -> dict[str, ZoneConditions]:
        """True state per zone now."""
        s, z = self._state_at(self.clock.now), len(self._zone_ids)
        blocks = {k: s[i * z : (i + 1) * z] for i, k in enumerate(KIND_ORDER)}
        return {
            zone: ZoneConditions(
                int(blocks[SensorKind.PEOPLE_COUNT][i]),
                float(blocks[SensorKind.TEMPERATURE][i]),
                float(blocks[SensorKind.HUMIDITY][i]),
                float(blocks[SensorKind.CO2][i]),
                float(blocks[SensorKind.LUX][i]),
            )
            for i, zone in enumerate(self._zone_ids)
        }

    def gate_counts(self) -> dict[str, tuple[int, int]]:
        """Cumulative ``(forward, reverse)`` crossings per gate since the start, now."""
        s, lay = self._state_at(self.clock.now), self._layout
        fwd, rev = s[lay.fwd].tolist(), s[lay.rev].tolist()
        return {g.id: (int(fwd[i]), int(rev[i])) for i, g in enumerate(self.venue.gates)}

    def _state_at(self, ts: float) -> np.ndarray:
        trail = self._trail
        if not trail[0][0] <= ts <= trail[-1][0]:
            raise ValueError(
                f"the state at {ts} is not kept (kept {trail[0][0]} to {trail[-1][0]})"
            )
        k = len(trail) - 1
        while k > 0 and trail[k - 1][0] >= ts:  # a few steps back at most
            k -= 1
        if k == 0:
            return trail[0][1].copy()
        if k == len(trail) - 1:
            return self._interval.at(ts)
        (g0, s0), (g1, s1) = trail[k - 1], trail[k]
        return Interval(self._layout, g0, s0, g1, s1).at(ts)

    def step(self, dt_s: float) -> list[Reading]:
        """Advance by ``dt_s`` simulated seconds; the readings sent during it."""
        return self.to_readings(self.step_batch(dt_s))

    def to_readings(self, batch: SampleBatch) -> list[Reading]:
        ids, venue = self.sensors.ids, self.venue.id
        rows = zip(batch.sensor.tolist(), batch.ts.tolist(), batch.value.tolist(), strict=True)
        return [Reading(venue, ids[i], t, v) for i, t, v in rows]

    def step_batch(self, dt_s: float) -> SampleBatch:
        """Like :meth:`step`, as arrays (sensor index into :attr:`sensor_ids`, ts, value)."""
        if dt_s < 0 or not math.isfinite(dt_s):
            raise ValueError(f"step length must be finite and >= 0, got {dt_s}")
        t, end = self.clock.now, self.clock.now + dt_s
        trail = self._trail
        while len(trail) > 1 and trail[1][0] <= t:  # keep the grid point at or before now
            del trail[0]
        parts = []
        while t < end:
            self._faults.advance_to(t)
            if t >= trail[-1][0]:
                self._next_interval()
            # Windows end at the step's end, a grid point or a fault edge; the
            # readings due in one carry the state at their own stamps.
            t1 = min(end, trail[-1][0], self._faults.next_edge())
            batch = self.sensors.sample(t1, self._truth, self._faults)
            parts.append(self._faults.deliver(batch, t1))
            self.clock.advance(t1 - t)
            t = t1
        self._faults.advance_to(t)
        return SampleBatch.concat([p for p in parts if len(p)])

    def _next_interval(self) -> None:
        """Advance the world to the next grid point (kept ahead of the clock)."""
        g0 = self._trail[-1][0]
        self._k += 1
        g1 = self._origin + self._k * self._max_sub  # no drift from summing steps
        self._advance_world(g0, g1 - g0)
        s1 = self._state.copy()
        self._interval = Interval(self._layout, g0, self._trail[-1][1], g1, s1)
        self._trail.append((g1, s1))
        if len(self._trail) > _TRAIL_MAX:
            del self._trail[0]

    def _truth(self, ts: np.ndarray, src: np.ndarray) -> np.ndarray:
        """The slots ``src`` of the state at stamps ``ts`` (inside the last grid interval)."""
        return self._interval.values(ts, src)

    def _advance_world(self, t: float, h: float) -> None:
        sched, light = self.schedule, self.lighting
        hour, weekday = self._local.at(t + 0.5 * h)
        wx = self.weather.step(h, hour)
        is_open = sched.is_open(hour, weekday)
        rate = sched.arrival_rate(hour, weekday, self.daily_visitors)
        self.crowd.step(h, rate, is_open, sched.group_share, sched.group_size)
        staffed = weekday not in sched.closed_weekdays and (
            sched.opens_h - light.lamps_before_open_h
            <= hour
            < sched.closes_h + light.lamps_after_close_h
        )
        lamps = self._lamp_lux if staffed else np.full_like(self._lamp_lux, light.night_lux)
        lamp_w = np.where(
            self._outdoor, 0.0, lamps * self._area / (light.lamp_lm_per_w * light.utilisation)
        )
        self._lux = np.where(self._outdoor, wx.daylight_lux, lamps)
        self._uv = np.where(
            self._outdoor,
            np.where(wx.daylight_lux > 1.0, light.daylight_uv_uw_per_lm, 0.0),
            np.where(staffed, light.lamp_uv_uw_per_lm, 0.0),
        )
        occ = self.crowd.occupancy
        self.climate.step(h, occ, lamp_w, wx, ventilating=staffed)
        self._fill_state(occ)

    def _fill_state(self, occ: np.ndarray) -> None:
        z, c = len(self._zone_ids), self.climate
        blocks = {
            SensorKind.TEMPERATURE: c.temp_c,
            SensorKind.HUMIDITY: c.rh_pct,
            SensorKind.CO2: c.co2_ppm,
            SensorKind.LUX: self._lux,
            SensorKind.PEOPLE_COUNT: occ,
            SensorKind.VIBRATION: self.lighting.vibration_base_mm_s
            + self.lighting.vibration_per_density * occ / self._area,
            SensorKind.UV: self._uv,
        }
        s = self._state
        for k, kind in enumerate(KIND_ORDER):
            s[k * z : (k + 1) * z] = blocks[kind]
        fwd, rev = self.crowd.gate_forward, self.crowd.gate_reverse
        g = fwd.size
        base = len(KIND_ORDER) * z
        s[base : base + g] = fwd
        s[base + g : base + 2 * g] = rev
        entries = np.zeros(z)
        ok_to, ok_from = self._gate_to >= 0, self._gate_from >= 0
        np.add.at(entries, self._gate_to[ok_to], fwd[ok_to])
        np.add.at(entries, self._gate_from[ok_from], rev[ok_from])
        s[base + 2 * g :] = entries
