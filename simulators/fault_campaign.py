"""Fault campaigns sized in each sensor's own noise, and real zone events.

:func:`sized_plan` injects spike, offset, drift, stuck and dropout faults on
every climate sensor of a venue, each sized ``size`` times the sensor's noise
standard deviation (the simulator's error model, :data:`simulators.sensors.MODELS`),
in slots that never overlap on one sensor. :func:`realistic_plan` injects the
faults seen on real devices: a slow drift of 0.5 degC per week, a stuck value
(at the sensor's own resolution, as the simulator quantises), intermittent
short dropouts and a train of spikes.

:class:`ZoneEvents` makes real things happen to a zone's air, which every
sensor there sees at once: a door left open (the room relaxes towards the
outdoor air within about half an hour) and a heating failure (it cools
towards outdoors over hours). It nudges the simulator's zone climate between
steps, so the simulator itself needs no change.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence
from dataclasses import dataclass

import numpy as np

from simulators.faults import Fault, FaultKind, FaultPlan
from simulators.sensors import MODELS
from simulators.simulator import VenueSimulator
from twin.venue import SensorKind, Venue

__all__ = [
    "CLIMATE_KINDS",
    "Level",
    "ZoneEvent",
    "ZoneEvents",
    "noise_sd",
    "realistic_plan",
    "sized_plan",
]

CLIMATE_KINDS = (SensorKind.TEMPERATURE, SensorKind.HUMIDITY, SensorKind.CO2)
# Typical readings, for the value-relative part of the noise model.
_TYPICAL = {SensorKind.TEMPERATURE: 20.0, SensorKind.HUMIDITY: 50.0, SensorKind.CO2: 600.0}
_HOUR = 3600.0


def noise_sd(kind: SensorKind, value: float | None = None) -> float:
    """The simulator's noise standard deviation of a sensor kind at ``value``
    (default: a typical reading)."""
    m = MODELS[kind]
    at = _TYPICAL.get(kind, 0.0) if value is None else value
    return m.noise_abs + m.noise_rel * abs(at)


Level = Callable[[str, float, float], float]
"""``level(sensor, t0, t1)``: the sensor's usual reading from ``t0`` to ``t1``."""


def _climate_sensors(venue: Venue) -> list[tuple[str, SensorKind]]:
    return [(s.id, s.kind) for s in venue.sensors if s.kind in CLIMATE_KINDS]


def sized_plan(
    venue: Venue, start: float, size: float, end: float, level: Level | None = None
) -> FaultPlan:
    """One fault of each kind per climate sensor, ``size`` x the sensor's noise.

    Slots of 3 h, staggered by 17 min between sensors. Spike: one reading
    ``size`` sigma off. Offset: ``size`` sigma for 1 h. Stuck: 1 h. Dropout:
    20 min. Drift (one sensor per zone): ``size`` sigma per hour from 12 h
    after ``start`` until ``end`` (a drifting sensor does not snap back).

    A CO2 sensor's noise grows with its reading (1 % of it), so sigma is
    taken at the sensor's reading over the fault's own window when ``level``
    gives it (a busy room's 1,000 ppm has 15 ppm of noise, the 600 ppm
    typical 11: a fault sized at the typical reading is 3.7 sigma there, not
    5); without it, at a typical reading.
    """
    faults: list[Fault] = []
    drifting: set[str] = set()  # zones with a drifting sensor already
    zone_of = {s.id: s.zone for s in venue.sensors}
    for i, (sensor, kind) in enumerate(_climate_sensors(venue)):
        t = start + i * 17 * 60.0

        def sd(t0: float, t1: float, sensor: str = sensor, kind: SensorKind = kind) -> float:
            return noise_sd(kind, None if level is None else level(sensor, t0, t1))

        spike, offset = size * sd(t - 60.0, t + 60.0), size * sd(t + 3 * _HOUR, t + 4 * _HOUR)
        faults += [
            Fault(sensor, FaultKind.SPIKE, t, t + 5.0, {"magnitude": spike}),
            Fault(sensor, FaultKind.OFFSET, t + 3 * _HOUR, t + 4 * _HOUR, {"offset": offset}),
            Fault(sensor, FaultKind.STUCK, t + 6 * _HOUR, t + 7 * _HOUR),
            Fault(sensor, FaultKind.DROPOUT, t + 9 * _HOUR, t + 9 * _HOUR + 1200.0),
        ]
        # One drifting sensor per zone: several sensors of a zone drifting
        # together is what a real room change looks like, and is withheld so.
        if zone_of[sensor] not in drifting:
            drifting.add(zone_of[sensor])
            faults.append(
                Fault(
                    sensor,
                    FaultKind.DRIFT,
                    t + 12 * _HOUR,
                    end,
                    {"rate_per_h": size * sd(t + 12 * _HOUR, end)},
                )
            )
    return FaultPlan(tuple(faults))


def realistic_plan(
    venue: Venue, start: float, seed: int = 0, level: Level | None = None
) -> FaultPlan:
    """Faults as real devices show them, over 4 days from ``start``.

    About half the thermometers (at least one, never all: seeded) start to
    drift at 0.5 degC per week, up or down, at a random time 6-30 h after
    ``start``, until the end; the others do not drift, so a drift detection
    on them, or before a drift began, is a false alarm. The humidity and CO2
    sensors get a stuck hour, a spike train (5 spikes of 8 sigma in 10 min)
    and an hour of intermittent dropouts (1-3 min gaps).

    Each spike lasts one reporting interval of its sensor, so exactly one
    reading carries it wherever the train's random times fall (a 5 s spike
    at a random time between 10 s readings touched no reading half the time
    and could not be seen). With ``level``, sigma is taken at the sensor's
    reading around each spike, as :func:`sized_plan` does (a busy room's
    CO2 has 15 ppm of noise, not the typical 11: 88 ppm is 5.8 sigma there).
    """
    rng = np.random.default_rng(seed)
    faults: list[Fault] = []
    sensors = _climate_sensors(venue)
    thermometers = [s for s, k in sensors if k is SensorKind.TEMPERATURE]
    n_drift = min(max(1, len(thermometers) // 2), max(len(thermometers) - 1, 1))
    drifting = set(rng.choice(thermometers, size=n_drift, replace=False).tolist())
    end = start + 4 * 24 * _HOUR
    week_h = 7 * 24.0
    interval = {s.id: s.interval_s for s in venue.sensors}
    for i, (sensor, kind) in enumerate(sensors):
        t = start + i * 23 * 60.0
        if kind is SensorKind.TEMPERATURE:
            if sensor in drifting:
                begin = start + float(rng.uniform(6.0, 30.0)) * _HOUR
                sign = 1.0 if rng.random() < 0.5 else -1.0
                rate = {"rate_per_h": sign * 0.5 / week_h}
                faults.append(Fault(sensor, FaultKind.DRIFT, begin, end, rate))
            continue
        sd = noise_sd(kind)
        faults.append(Fault(sensor, FaultKind.STUCK, t + 6 * _HOUR, t + 7 * _HOUR))
        train = t + 24 * _HOUR
        for k in range(5):
            at = train + k * 120.0 + float(rng.uniform(0.0, 60.0))
            if level is not None:
                sd = noise_sd(kind, level(sensor, at - 60.0, at + 60.0))
            magnitude = {"magnitude": 8.0 * sd}
            faults.append(Fault(sensor, FaultKind.SPIKE, at, at + interval[sensor], magnitude))
        gap = t + 48 * _HOUR
        while gap < t + 49 * _HOUR:
            length = float(rng.uniform(60.0, 180.0))
            faults.append(Fault(sensor, FaultKind.DROPOUT, gap, gap + length))
            gap += length + float(rng.uniform(300.0, 900.0))
    return FaultPlan(tuple(faults))


@dataclass(frozen=True, slots=True)
class ZoneEvent:
    """A real change of a zone's air: ``door_open`` or ``heating_failure``."""

    zone: str
    kind: str
    start: float
    end: float


# Time constants towards the outdoor air: an open door mixes in about half an
# hour; an unheated room cools over about half a day.
_TAU_S = {"door_open": 1800.0, "heating_failure": 12 * _HOUR}
_SUBSTEP_S = 2.0


class ZoneEvents:
    """Apply zone events to a :class:`VenueSimulator` between its steps."""

    def __init__(self, sim: VenueSimulator, events: Sequence[ZoneEvent]) -> None:
        for e in events:
            if e.kind not in _TAU_S:
                raise ValueError(f"unknown zone event {e.kind!r}")
        self._sim = sim
        self._events = tuple(events)
        self._index = {z.id: i for i, z in enumerate(sim.venue.zones)}

    def step(self, dt_s: float) -> list[object]:
        """Advance the simulator by ``dt_s`` and apply the events active now."""
        readings: list[object] = []
        done = 0.0
        while done < dt_s:
            # Nudge in small steps: a room's air changes continuously, not in jumps.
            h = min(_SUBSTEP_S, dt_s - done)
            readings += self._sim.step(h)
            done += h
            self._nudge(h)
        return readings

    def _nudge(self, h: float) -> None:
        now = self._sim.now
        climate = self._sim.climate
        outdoor_t = self._sim.weather.params.mean_temp_c
        outdoor_co2 = climate.params.outdoor_co2_ppm
        for e in self._events:
            if not e.start <= now < e.end:
                continue
            z = self._index[e.zone]
            keep = math.exp(-h / _TAU_S[e.kind])
            climate.temp_c[z] = outdoor_t + (climate.temp_c[z] - outdoor_t) * keep
            if e.kind == "door_open":
                climate.co2_ppm[z] = outdoor_co2 + (climate.co2_ppm[z] - outdoor_co2) * keep
