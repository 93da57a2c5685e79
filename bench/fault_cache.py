"""Simulated readings of a fault-bench run, kept on disk so detectors can be re-run.

The simulation is most of ``bench/faults.py``'s time (the detectors take a
few seconds a day). :func:`simulated` steps the seeded simulator as the bench
does (one-minute steps, zone events nudged between them) and returns every
reading with the step it arrived in, so the replay can tick the watchdog at
the same moments; with ``cache`` it stores them (one pickle per seed, length,
plan and events) and reads them back next time. The simulator is seeded, so
the cache is only a speed-up.
"""

from __future__ import annotations

import hashlib
import pickle
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from simulators.fault_campaign import ZoneEvent, ZoneEvents
from simulators.faults import Fault, FaultPlan
from simulators.simulator import VenueSimulator
from twin.loader import load_sample

__all__ = ["EVENT_TAIL_S", "Simulated", "during_event", "level_of", "simulated", "zone_events"]

STEP_S = 60.0
_DAY = 86400.0
EVENT_TAIL_S = 3600.0
"""After a zone event ends, its sensors still settle this long: a detection
then is read as the event's, not as a sensor fault of its own."""


def zone_events(judged_from: float) -> list[ZoneEvent]:
    """The fault benches' four real zone events (doors left open, heating
    failures), timed from the first judged moment ``judged_from``."""
    t0 = judged_from - _DAY  # the same events, later with a longer warm-up
    return [
        ZoneEvent("gallery-a", "door_open", t0 + 1.5 * _DAY, t0 + 1.5 * _DAY + 3600.0),
        ZoneEvent("gallery-b", "heating_failure", t0 + 2.2 * _DAY, t0 + 2.2 * _DAY + 8 * 3600),
        ZoneEvent("entrance", "door_open", t0 + 2.6 * _DAY, t0 + 2.6 * _DAY + 2 * 3600.0),
        ZoneEvent("gallery-c", "heating_failure", t0 + 3.1 * _DAY, t0 + 3.1 * _DAY + 6 * 3600),
    ]


def during_event(zone: str | None, t: float, event: ZoneEvent) -> bool:
    """Whether a detection at ``t`` on a sensor of ``zone`` falls in ``event``
    (its zone, from its start to :data:`EVENT_TAIL_S` after its end)."""
    return zone == event.zone and event.start <= t <= event.end + EVENT_TAIL_S


@dataclass(frozen=True, slots=True)
class Simulated:
    """Readings ``(names[i], ts, v)`` in arrival order; ``step`` numbers the
    one-minute step each came in; ``step_end`` is the clock after each step."""

    names: list[str]
    i: np.ndarray
    ts: np.ndarray
    v: np.ndarray
    step: np.ndarray
    step_end: np.ndarray
    truth: list[Fault]

    def steps(self) -> Iterator[tuple[float, list[tuple[str, float, float]]]]:
        """``(clock after the step, its readings)`` for each step, in order."""
        bounds = np.searchsorted(self.step, np.arange(len(self.step_end) + 1))
        names, i, ts, v = self.names, self.i.tolist(), self.ts.tolist(), self.v.tolist()
        for k, now in enumerate(self.step_end.tolist()):
            lo, hi = int(bounds[k]), int(bounds[k + 1])
            yield now, [(names[i[j]], ts[j], v[j]) for j in range(lo, hi)]


def _key(
    seed: int, start: float, seconds: float, plan: FaultPlan | None, events: Sequence[ZoneEvent]
) -> str:
    text = repr((seed, start, seconds, plan.faults if plan else (), tuple(events)))
    return hashlib.sha256(text.encode()).hexdigest()[:16]


def simulated(
    seed: int,
    start: float,
    seconds: float,
    plan: FaultPlan | None,
    events: Sequence[ZoneEvent] = (),
    cache: Path | None = None,
) -> Simulated:
    """The museum-wing simulation of ``seconds`` from ``start`` (cached if asked)."""
    path = (
        cache / f"faults-s{seed}-{_key(seed, start, seconds, plan, events)}.pkl" if cache else None
    )
    if path is not None and path.exists():
        with path.open("rb") as fh:
            out: Simulated = pickle.load(fh)  # our own file, written below
        return out
    venue = load_sample("museum-wing")
    sim = VenueSimulator(venue, seed=seed, start=start, faults=plan)
    stepper = ZoneEvents(sim, events)
    names = [s.id for s in venue.sensors]
    index = {n: k for k, n in enumerate(names)}
    i: list[int] = []
    ts: list[float] = []
    v: list[float] = []
    step: list[int] = []
    step_end: list[float] = []
    while sim.now < start + seconds:
        for r in stepper.step(STEP_S):
            i.append(index[r.sensor])  # type: ignore[attr-defined]
            ts.append(r.ts)  # type: ignore[attr-defined]
            v.append(r.value)  # type: ignore[attr-defined]
            step.append(len(step_end))
        step_end.append(sim.now)
    out = Simulated(
        names,
        np.array(i, dtype=np.int64),
        np.array(ts, dtype=np.float64),
        np.array(v, dtype=np.float64),
        np.array(step, dtype=np.int64),
        np.array(step_end, dtype=np.float64),
        list(sim.ground_truth.faults),
    )
    if path is not None:
        path.parent.mkdir(parents=True, exist_ok=True)
        tmp = path.with_suffix(".tmp")
        with tmp.open("wb") as fh:
            pickle.dump(out, fh)
        tmp.replace(path)
    return out


def level_of(run: Simulated) -> Callable[[str, float, float], float]:
    """``level(sensor, t0, t1)``: the median reading of ``run`` in that window
    (for sizing faults in the noise at the sensor's own reading)."""
    order = np.lexsort((run.ts, run.i))
    i, ts, v = run.i[order], run.ts[order], run.v[order]
    index = {n: k for k, n in enumerate(run.names)}
    starts = np.searchsorted(i, np.arange(len(run.names) + 1))

    def level(sensor: str, t0: float, t1: float) -> float:
        k = index[sensor]
        lo, hi = int(starts[k]), int(starts[k + 1])
        a, b = np.searchsorted(ts[lo:hi], [t0, t1])
        window = v[lo + a : lo + b]
        if len(window) == 0:
            raise ValueError(f"no reading of {sensor!r} from {t0} to {t1}")
        return float(np.median(window))

    return level
