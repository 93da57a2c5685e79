"""Drift against the neighbours alone, on simulated readings, across seeds.

Usage: python bench/neighbour_drift.py [--seeds 0,1,2] [--warmup-days 3] [--cache DIR]
                                      [--venue museum-wing|scenic-site]
                                      [--t-min T] [--covariate on|off]
                                      [--excursion-gaps on|off] [--early-distrust on|off]
                                      [--excursion-scale on|off]
                                      [--slow-line plain|agreeing|agreeing_kept|
                                                   agreeing_kept_or_whole]
                                      [--hold HOURS:BAR] [--like-environment on|off]
                                      [--live]

For each seed, the venue (``--venue``, museum-wing by default: the one every
constant of the drift detector was derived on) is simulated twice, as ``bench/faults.py``
does it: the realistic campaign (``realistic_plan``: about half the
thermometers drift at 0.5 degC/week from a random time; here one
hygrometer also drifts, 1 %RH/week by default, see ``--rh-drift``) and the venue's
zone events (:data:`EVENTS`) with no fault. The thermometers' and hygrometers' readings feed
:class:`~twin.analytics.anomaly.neighbour_drift.NeighbourDrift` alone (no zone
corroboration, no own-history detector), so the figures are the drift
detector's own: delay of the first report of each drift (median, p90, how
many within 24 h), precision (strict: a report is right only on a drifting
sensor after its drift began), and drift reports during the zone events
(misreadings) and outside them (false alarms), all from the end of the
warm-up; the drift reports in each run's warm-up, when no fault or event
has begun (so each is false, and a live detector raises it too), are
counted apart, per run as the false reports after it are.

``--live`` scores instead the drift detections an operator gets: the whole
live path (``AnomalyWatch``), where a sensor no neighbours judge yet (or
ever) has its own-history drift detector, and the zone corroboration holds
a drift some zone mates' change explains.

``--cache DIR`` keeps the simulated readings (an .npz per seed and run), so
a second run with another detector setting is quick; the simulator is
seeded, the cache is only a speed-up.
"""

from __future__ import annotations

import argparse
import asyncio
import math
import statistics
import sys
import time
from collections.abc import Callable
from dataclasses import replace
from pathlib import Path

import numpy as np

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))

from bench.drift_options import (  # noqa: E402
    add_run_options,
    add_switch_options,
    add_trend_options,
    trend_from,
    with_switches,
)
from bench.fault_cache import during_event, zone_events  # noqa: E402
from ingest.contract import Reading  # noqa: E402
from ingest.store.memory import MemoryStore  # noqa: E402
from simulators.fault_campaign import ZoneEvent, ZoneEvents, realistic_plan  # noqa: E402
from simulators.faults import Fault, FaultKind, FaultPlan  # noqa: E402
from simulators.simulator import VenueSimulator  # noqa: E402
from twin.analytics.anomaly.detection import Detection, DetectionKind  # noqa: E402
from twin.analytics.anomaly.neighbour_drift import (  # noqa: E402
    DriftConfig,
    NeighbourDrift,
)
from twin.live_analytics.anomalies import AnomalyWatch, drift_members  # noqa: E402
from twin.live_analytics.results import SensorAnomaly  # noqa: E402
from twin.loader import load_sample  # noqa: E402
from twin.venue import SensorKind  # noqa: E402
from venue_twin.store_startup import resume_watch  # noqa: E402

__all__ = ["main"]

T0 = 1_732_438_800.0  # as bench/faults.py
_DAY = 86400.0
_STEP_S = 60.0
_JUDGED = (SensorKind.TEMPERATURE, SensorKind.HUMIDITY)
# Recorded too: the zones' CO2, the covariate of the visitors' heat (not judged here).
_RECORDED = (*_JUDGED, SensorKind.CO2)
_HOUR = 3600.0


def _scenic_events(judged_from: float) -> list[ZoneEvent]:
    """scenic-site's zone events: museum-wing's four slots, all in the pavilion.

    The pavilion is the one enclosed zone. The others are outdoor: they have no
    door or heating, and the simulator sets their air to the weather's every
    step (a nudge there would be undone at once), so no event fits them.
    """
    t0 = judged_from - _DAY  # as zone_events times them
    return [
        ZoneEvent("pavilion", "door_open", t0 + 1.5 * _DAY, t0 + 1.5 * _DAY + _HOUR),
        ZoneEvent("pavilion", "heating_failure", t0 + 2.2 * _DAY, t0 + 2.2 * _DAY + 8 * _HOUR),
        ZoneEvent("pavilion", "door_open", t0 + 2.6 * _DAY, t0 + 2.6 * _DAY + 2 * _HOUR),
        ZoneEvent("pavilion", "heating_failure", t0 + 3.1 * _DAY, t0 + 3.1 * _DAY + 6 * _HOUR),
    ]


EVENTS: dict[str, Callable[[float], list[ZoneEvent]]] = {
    "museum-wing": zone_events,  # bench/faults.py's four, in four of its zones
    "scenic-site": _scenic_events,
}
"""Each sample venue's zone events, timed from the first judged moment."""


KINDS = ("temp", "rh")
"""The judged kinds as the drift benches label them."""


def short_kind(sensor: str) -> str:
    """A judged sensor's kind label: "rh" for a hygrometer, else "temp"."""
    return "rh" if sensor.endswith("-rh") else "temp"


def zone_of(venue_id: str = "museum-wing") -> dict[str, str]:
    """Each of the venue's sensors' zone (the event windows are per zone)."""
    return {s.id: s.zone for s in load_sample(venue_id).sensors}


def events_for(warm_s: float, venue: str = "museum-wing") -> list[ZoneEvent]:
    """The venue's zone events (:data:`EVENTS`), after a warm-up of ``warm_s``."""
    return EVENTS[venue](T0 + warm_s)


def drift_plan(
    seed: int, warm_s: float, rh_drift: float, venue_id: str = "museum-wing"
) -> FaultPlan:
    """``realistic_plan``, plus (if ``rh_drift``) a drift on one hygrometer."""
    venue = load_sample(venue_id)
    plan = realistic_plan(venue, T0 + warm_s, seed)
    if not rh_drift:
        return plan
    rng = np.random.default_rng(1000 + seed)
    rh = [s.id for s in venue.sensors if s.kind is SensorKind.HUMIDITY]
    sensor = str(rng.choice(rh))
    begin = T0 + warm_s + float(rng.uniform(6.0, 30.0)) * 3600.0
    sign = 1.0 if rng.random() < 0.5 else -1.0
    end = T0 + warm_s + 4 * _DAY
    # The plan's stuck hour, spikes and dropouts of that hygrometer stay.
    extra = Fault(sensor, FaultKind.DRIFT, begin, end, {"rate_per_h": sign * rh_drift / 168.0})
    return FaultPlan((*plan.faults, extra))


def simulate(
    seed: int,
    seconds: float,
    plan: FaultPlan | None,
    events: list[ZoneEvent],
    cache: Path | None,
    venue_id: str = "museum-wing",
) -> tuple[list[str], np.ndarray, np.ndarray, np.ndarray, list[Fault]]:
    """Readings of the judged sensors: names, sensor index, ts, value; and the truth."""
    venue = load_sample(venue_id)
    names = [s.id for s in venue.sensors if s.kind in _RECORDED]
    key = f"s{seed}-{int(seconds)}-{len(plan or ())}-{len(events)}-co2"
    if venue_id != "museum-wing":  # museum-wing's caches keep their names
        key = f"{venue_id}-{key}"
    path = cache / f"{key}.npz" if cache is not None else None
    sim = VenueSimulator(venue, seed=seed, start=T0, faults=plan)
    if path is not None and path.exists():
        z = np.load(path)
        truth = [f for f in (plan.faults if plan else ()) if f.start < T0 + seconds]
        return names, z["i"], z["ts"], z["v"], truth
    stepper = ZoneEvents(sim, events)
    index = {n: k for k, n in enumerate(names)}
    rows: list[tuple[int, float, float]] = []
    while sim.now < T0 + seconds:
        for r in stepper.step(_STEP_S):
            k = index.get(r.sensor)  # type: ignore[attr-defined]
            if k is not None:
                rows.append((k, r.ts, r.value))  # type: ignore[attr-defined]
    arr = np.array(rows)
    i, ts, v = arr[:, 0].astype(np.int64), arr[:, 1], arr[:, 2]
    if path is not None:
        path.parent.mkdir(parents=True, exist_ok=True)
        np.savez(path, i=i, ts=ts, v=v)
    return names, i, ts, v, list(sim.ground_truth.faults)


def detect(
    names: list[str],
    i: np.ndarray,
    ts: np.ndarray,
    v: np.ndarray,
    config: DriftConfig | None = None,
    venue_id: str = "museum-wing",
) -> list[tuple[str, float, float]]:
    """The judged sensors' drift reports: ``(sensor, ts, sign of its change)``."""
    venue = load_sample(venue_id)
    # The members as AnomalyWatch has them (CO2 as the covariate, when it is on).
    nd = NeighbourDrift(drift_members(venue, config), config)
    judged = {s.id for s in venue.sensors if s.kind in _JUDGED}
    found: list[tuple[str, float, float]] = []
    for k, t, x in zip(i.tolist(), ts.tolist(), v.tolist(), strict=True):
        found += [
            (d.sensor, d.ts, _sign(d)) for d in nd.update(names[k], t, x) if d.sensor in judged
        ]
    return found


def detect_live(
    names: list[str],
    i: np.ndarray,
    ts: np.ndarray,
    v: np.ndarray,
    config: DriftConfig | None = None,
    venue_id: str = "museum-wing",
    restart_at: float | None = None,
) -> list[tuple[str, float, float]]:
    """The drift detections an operator gets (``--live``): the judged sensors'
    drift-kind detections of the whole live path (``AnomalyWatch``: the
    neighbours where they judge, else the own-history detector; the zone
    corroboration's hold and release), as :func:`detect` gives them.

    ``restart_at`` (epoch seconds; ``--restart-at-h``): ``serve`` restarts
    then. A new watch is resumed from a store of the readings before it, as
    ``serve`` resumes it at start-up (``resume_watch``), and takes the
    readings from then on (the hour in progress is lost, as in service)."""
    venue = load_sample(venue_id)
    watch = AnomalyWatch(venue, active_s=900.0, drift_config=config)
    judged = {s.id for s in venue.sensors if s.kind in _JUDGED}
    found: list[tuple[str, float, float]] = []

    def keep(result: SensorAnomaly) -> None:
        found.extend(
            (d.sensor, d.ts, _sign(d))
            for d in result.detections
            if d.kind is DetectionKind.DRIFT and d.sensor in judged
        )

    step = -1  # the simulator's step (a minute) of the last reading
    for k, t, x in zip(i.tolist(), ts.tolist(), v.tolist(), strict=True):
        if restart_at is not None and t >= restart_at:
            watch = AnomalyWatch(venue, active_s=900.0, drift_config=config)
            _resume(watch, names, (i, ts, v), venue_id, restart_at)
            restart_at = None
        if int(t // _STEP_S) != step:  # a new step: the watchdog runs, as serve's does
            step = int(t // _STEP_S)
            for held in watch.check_silence(t):
                keep(held)
        result = watch.update(names[k], t, x)
        if result is not None:
            keep(result)
    return found


def _resume(
    watch: AnomalyWatch,
    names: list[str],
    run: tuple[np.ndarray, np.ndarray, np.ndarray],
    venue_id: str,
    at: float,
) -> None:
    """Feed ``watch`` the stored hours before ``at`` as ``serve`` does at start-up
    (``resume_watch``), from a store holding the run's readings before ``at``."""

    async def resume() -> None:
        store = MemoryStore()
        await store.open()
        i, ts, v = run
        before = ts < at
        rows = zip(i[before].tolist(), ts[before].tolist(), v[before].tolist(), strict=True)
        await store.write_readings([Reading(venue_id, names[k], t, x) for k, t, x in rows])
        await resume_watch(watch, venue_id, store, at)

    asyncio.run(resume())


def _sign(d: Detection) -> float:
    """The sign of a drift report's change (its text's ``change``, "+0.08" or "-0.08")."""
    change = str(d.text.params["change"]) if d.text is not None else "+"
    return -1.0 if change.startswith("-") else 1.0


def _p90(xs: list[float]) -> float:
    return float(np.percentile(xs, 90)) if xs else math.nan


def _summary(label: str, delays_h: list[float], faults: int) -> str:
    within = sum(d <= 24.0 for d in delays_h)
    med = statistics.median(delays_h) if delays_h else math.nan
    return (
        f"{label}: found {len(delays_h)} of {faults}, within 24 h {within}, "
        f"delay median {med:.1f} h, p90 {_p90(delays_h):.1f} h"
    )


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    add_run_options(parser)
    parser.add_argument("--venue", choices=sorted(EVENTS), default="museum-wing")
    parser.add_argument("--t-min", type=float, default=None, help="default: the config's")
    parser.add_argument(
        "--live",
        action="store_true",
        help="score the drift detections of the whole live path (AnomalyWatch: the "
        "own-history detector where no neighbours judge, the zone corroboration), "
        "not the neighbour detector's alone",
    )
    parser.add_argument(
        "--restart-at-h",
        type=float,
        default=None,
        metavar="HOURS",
        help="with --live: serve restarts HOURS into each run and resumes the drift check "
        "from the stored hours (venue_twin.store_startup.resume_drift)",
    )
    add_trend_options(parser)
    add_switch_options(parser)
    args = parser.parse_args(argv)
    trend = trend_from(args)
    if args.t_min is not None:
        trend = replace(trend, t_min=args.t_min)
    config = DriftConfig(trend=trend)
    config = with_switches(args, config)
    print(
        f"slow path: {trend}; excursion_gaps {config.excursion_gaps}; "
        f"early_distrust {config.early_distrust}; excursion_scale {config.excursion_scale}"
        # Named only when not plain, so the output before drift57 reads as it did.
        + (f"; slow_line {config.slow_line}" if config.slow_line != "plain" else "")
        # Named only when it can report (hold 1 h: the output reads as before it).
        + (
            f"; hold {config.trend.hold_h} h at |t| >= {config.trend.hold_t_min:g}"
            if config.trend.holds
            else ""
        )
        # Named only when on, so the output without it reads as before drift64.
        + ("; like_environment" if config.like_environment else "")
    )
    if args.restart_at_h is not None and not args.live:
        parser.error("--restart-at-h needs --live")
    restart = () if args.restart_at_h is None else (T0 + args.restart_at_h * _HOUR,)
    if args.live:
        print("live path: AnomalyWatch's drift detections")
    if restart:
        print(f"serve restarts {args.restart_at_h:g} h into each run, the drift check resumed")
    run: Callable[..., list[tuple[str, float, float]]] = detect_live if args.live else detect
    warm = args.warmup_days * _DAY
    started = time.perf_counter()
    delays: dict[str, list[float]] = {"temperature": [], "humidity": []}
    counts = {"temperature": 0, "humidity": 0}
    # Found by a report of the drift's own sign (a report on a drifting sensor
    # that moved the other way is the room's swing, not the drift).
    signed: dict[str, list[float]] = {"temperature": [], "humidity": []}
    right = wrong = misread = outside = warmup = 0
    venue = load_sample(args.venue)
    zones = zone_of(args.venue)
    kind_of = {s.id: s.kind for s in venue.sensors}
    judged = {s.id for s in venue.sensors if s.kind in _JUDGED}
    for seed in [int(s) for s in args.seeds.split(",")]:
        plan = drift_plan(seed, warm, args.rh_drift, args.venue)
        names, i, ts, v, truth = simulate(seed, warm + 4 * _DAY, plan, [], args.cache, args.venue)
        signed_reports = run(names, i, ts, v, config, args.venue, *restart)
        reports = [(s, t) for s, t, _sign in signed_reports]
        found = [(s, t) for s, t in reports if t >= T0 + warm]
        # No fault starts before the warm-up ends, so a report in it is false;
        # a live detector would raise it too (counted apart from the judged days).
        early = sum(t < T0 + warm for _s, t in reports)
        warmup += early
        drifts = {f.sensor: f for f in truth if f.kind is FaultKind.DRIFT and f.sensor in judged}
        each = []
        for f in drifts.values():
            kind = kind_of[f.sensor].value
            counts[kind] += 1
            hits = [t for s, t in found if s == f.sensor and t >= f.start]
            if hits:
                delays[kind].append((min(hits) - f.start) / 3600.0)
            own = math.copysign(1.0, f.params["rate_per_h"])
            hits_own = [
                t for s, t, g in signed_reports if s == f.sensor and t >= f.start and g == own
            ]
            if hits_own:
                signed[kind].append((min(hits_own) - f.start) / 3600.0)
            each.append(f"{f.sensor} {delays[kind][-1]:.1f} h" if hits else f"{f.sensor} missed")
        ok = sum(s in drifts and t >= drifts[s].start for s, t in found)
        right, wrong = right + ok, wrong + len(found) - ok
        events = events_for(warm, args.venue)
        names_e, ie, tse, ve, _ = simulate(
            seed, warm + 3 * _DAY, None, events, args.cache, args.venue
        )
        reports_e = run(names_e, ie, tse, ve, config, args.venue, *restart)
        found_e = [(s, t) for s, t, _sign in reports_e if t >= T0 + warm]
        # Each run's warm-up, as each run's false reports after it are counted
        # (the two runs read alike until the first fault or event).
        early_e = sum(t < T0 + warm for _s, t, _sign in reports_e)
        warmup += early_e

        def during(s: str, t: float, e: ZoneEvent) -> bool:
            return during_event(zones[s], t, e)

        m = sum(any(during(s, t, e) for s, t in found_e) for e in events)
        o = sum(not any(during(s, t, e) for e in events) for s, t in found_e)
        misread, outside = misread + m, outside + o
        print(
            f"seed {seed}: drift reports {len(found)} ({len(found) - ok} wrong); "
            f"first report after {', '.join(each)}; events misread {m} of {len(events)}, "
            f"drift reports outside them {o}; in the warm-ups (false) {early} + {early_e}"
        )
    for kind in ("temperature", "humidity"):
        print(_summary(kind, delays[kind], counts[kind]))
    for kind in ("temperature", "humidity"):
        n = sum(h <= 24.0 for h in signed[kind])
        own_line = f"found {len(signed[kind])}, within 24 h {n}"
        print(f"{kind}, by a report of the drift's own sign: {own_line}")
    precision = 100.0 * right / max(right + wrong, 1)
    print(f"precision {precision:.0f}% ({right} of {right + wrong} reports on a drifting sensor)")
    print(f"zone events misread {misread}; drift reports outside them {outside}")
    print(f"drift reports in the two runs' warm-ups, before any fault (false): {warmup}")
    print(f"({time.perf_counter() - started:.0f} s)")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
