"""Crowd state of a very large venue as several estimators over blocks of zones.

One :class:`~twin.live_analytics.crowd.CrowdTracker` keeps a covariance over
zones + 2 x gate channels + cameras, and a step costs dense products over
that square: 88-97 ms of CPU at 420 zones but 4.5 s at 1,680 (one BLAS
thread, ``bench/crowd_step.py``), so a 20,000-sensor venue could not keep up.
Above ``AnalyticsConfig.crowd_block_zones`` the venue's zones are cut into
connected blocks of about equal size, each tracked on its own; the cost then
grows with the number of blocks, not with the square of the venue.

A gate between two blocks is, for each block, a door to the outside: its
counters feed both, so people leaving one block enter the next, and each
block's total is still its own entries minus exits. What a block does not
know is its neighbour's covariance: a counter's learned miss rate is learned
twice, once per side, and a camera in one block does not correct the zone
next door in the other. Zones, gates and sensors keep their ids.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Iterable, Mapping, Sequence

from ingest.contract import TrackFrame
from twin.live_analytics.config import AnalyticsConfig
from twin.live_analytics.counter_trust import CounterOutage
from twin.live_analytics.crowd import CrowdTracker
from twin.live_analytics.results import GateFlow, ZoneCrowd
from twin.live_analytics.silence_suspicion import SilentCounter
from twin.venue import SensorKind, Venue

__all__ = ["CrowdBlocks", "block_venue", "crowd_tracker", "partition_zones"]

_CROWD_KINDS = (SensorKind.GATE_COUNTER, SensorKind.PEOPLE_COUNT, SensorKind.PEOPLE_TRACKER)


def crowd_tracker(venue: Venue, config: AnalyticsConfig) -> CrowdTracker | CrowdBlocks:
    """One tracker for the venue, or blocks of trackers when it has too many zones."""
    if len(venue.zones) <= config.crowd_block_zones:
        return CrowdTracker(venue, config)
    return CrowdBlocks(venue, config)


def partition_zones(venue: Venue, max_zones: int) -> list[list[str]]:
    """Zones in blocks of at most ``max_zones``, of about equal size, cutting few gates.

    The zones are walked depth-first from the venue's entrances (gates from
    outside) and the walk is cut into equal runs: consecutive zones of a
    depth-first walk are neighbours but for the jumps back up the tree, so
    few gates cross between blocks (5 of 1,680 in ``large_venue(1680)`` cut
    into 4; a breadth-first walk cut 137).
    """
    if max_zones < 1:
        raise ValueError("max_zones must be >= 1")
    ids = [z.id for z in venue.zones]
    adjacent: dict[str, list[str]] = {z: [] for z in ids}
    starts: list[str] = []
    for g in venue.gates:
        a, b = g.from_zone, g.to_zone
        if a is not None and b is not None:
            adjacent[a].append(b)
            adjacent[b].append(a)
        elif a is not None or b is not None:
            starts.append(a if a is not None else b)  # type: ignore[arg-type]  # one is set
    order: list[str] = []
    seen: set[str] = set()
    for root in starts + ids:  # every zone, also those no gate reaches
        stack = [root]
        while stack:
            z = stack.pop()
            if z in seen:
                continue
            seen.add(z)
            order.append(z)
            stack.extend(reversed([n for n in adjacent[z] if n not in seen]))
    n_blocks = -(-len(order) // max_zones)
    size = -(-len(order) // n_blocks)
    return [order[i : i + size] for i in range(0, len(order), size)]


def block_venue(venue: Venue, zones: Sequence[str]) -> Venue:
    """The part of ``venue`` a block's tracker sees: its zones, their gates and crowd sensors.

    A gate to a zone of another block leads outside; a gate counter kept
    in that other zone is moved to this block's side of its gate.
    """
    inside = set(zones)
    gates = []
    for g in venue.gates:
        a = g.from_zone if g.from_zone in inside else None
        b = g.to_zone if g.to_zone in inside else None
        if a is not None or b is not None:
            gates.append(g.model_copy(update={"from_zone": a, "to_zone": b}))
    side = {g.id: g.to_zone or g.from_zone for g in gates}
    sensors = []
    for s in venue.sensors:
        if s.kind not in _CROWD_KINDS:
            continue
        if s.kind is SensorKind.GATE_COUNTER:
            if s.gate not in side:
                continue
            if s.zone not in inside:
                s = s.model_copy(update={"zone": side[s.gate]})
        elif s.zone not in inside:
            continue
        sensors.append(s)
    return Venue(
        id=venue.id,
        name=venue.name,
        timezone=venue.timezone,
        frame=venue.frame,
        mesh=venue.mesh,
        zones=[z for z in venue.zones if z.id in inside],
        gates=gates,
        sensors=sensors,
    )


class CrowdBlocks:
    """:class:`CrowdTracker`'s live interface over several blocks of one venue."""

    def __init__(self, venue: Venue, config: AnalyticsConfig) -> None:
        self._blocks: list[CrowdTracker] = []
        self._by_sensor: dict[str, list[CrowdTracker]] = {}
        self._by_zone: dict[str, CrowdTracker] = {}
        self._order = {z.id: i for i, z in enumerate(venue.zones)}
        for zones in partition_zones(venue, config.crowd_block_zones):
            part = block_venue(venue, zones)
            inside = set(zones)
            start = {z: n for z, n in config.initial_occupancy.items() if z in inside}
            tracker = CrowdTracker(part, dataclasses.replace(config, initial_occupancy=start))
            self._blocks.append(tracker)
            for s in tracker.handles:
                self._by_sensor.setdefault(s, []).append(tracker)
            for z in zones:
                self._by_zone[z] = tracker
        self._handles = frozenset(self._by_sensor)

    @property
    def blocks(self) -> Sequence[CrowdTracker]:
        return self._blocks

    @property
    def handles(self) -> frozenset[str]:
        return self._handles

    @property
    def step_start(self) -> float | None:
        """The earliest step in progress of any block (None before the first reading)."""
        starts = [s for b in self._blocks if (s := b.step_start) is not None]
        return min(starts) if starts else None

    def set_occupancy(self, zone: str, count: float, sd: float = 0.0) -> None:
        self._by_zone[zone].set_occupancy(zone, count, sd)

    def observe_track(self, frame: TrackFrame) -> None:
        for b in self._by_sensor.get(frame.sensor, ()):
            b.observe_track(frame)

    def update(self, sensor: str, ts: float, value: float) -> None:
        for b in self._by_sensor.get(sensor, ()):
            b.update(sensor, ts, value)

    @property
    def distrusted(self) -> frozenset[str]:
        return frozenset(s for b in self._blocks for s in b.distrusted)

    def distrust(
        self, outages: Iterable[CounterOutage], silent: Iterable[SilentCounter] = ()
    ) -> None:
        """The counters reported stopped (and the silent ones), to every block."""
        got, quiet = tuple(outages), tuple(silent)
        for b in self._blocks:
            b.distrust(got, quiet)

    def advance(self, now: float, *, final: bool = False) -> tuple[ZoneCrowd, ...]:
        out = [c for b in self._blocks for c in b.advance(now, final=final)]
        out.sort(key=lambda c: self._order[c.zone])
        return tuple(out)

    def flows(self, now: float) -> tuple[GateFlow, ...]:
        """Each gate once; a gate between blocks from the first block that counts it."""
        seen: dict[str, GateFlow] = {}
        for b in self._blocks:
            for f in b.flows(now):
                had = seen.get(f.gate)
                if had is None or (had.forward_per_s is None and had.backward_per_s is None):
                    seen[f.gate] = f
        return tuple(seen.values())

    def occupancy(self) -> Mapping[str, float]:
        return {z: n for b in self._blocks for z, n in b.occupancy().items()}
