"""Sample venues: the scenic site loads and meshes; the large venue is deterministic."""

from __future__ import annotations

import numpy as np

from twin.geometry.checks import check_venue
from twin.geometry.graph import zone_graph
from twin.geometry.meshgen import procedural_mesh
from twin.loader import load_sample, sample_names
from twin.samples.large_venue import large_venue
from twin.venue import GateDirection, SensorKind


def test_scenic_site_is_an_outdoor_site_with_a_pavilion() -> None:
    site = load_sample("scenic-site")
    assert "scenic-site" in sample_names()
    outdoor = {z.id for z in site.zones if z.outdoor}
    assert {"entrance-plaza", "queue-area", "main-path", "viewing-platform"} <= outdoor
    assert not site.zone_by_id["pavilion"].outdoor
    kinds_by_zone: dict[str, set[SensorKind]] = {}
    for s in site.sensors:
        kinds_by_zone.setdefault(s.zone, set()).add(s.kind)
    assert SensorKind.PEOPLE_COUNT in kinds_by_zone["queue-area"]
    assert SensorKind.VIBRATION in kinds_by_zone["viewing-platform"]
    assert {SensorKind.TEMPERATURE, SensorKind.HUMIDITY, SensorKind.LUX} <= kinds_by_zone[
        "entrance-plaza"
    ]
    assert site.sensor_by_id["gate-ticket"].gate == "ticket-gate"


def test_every_sample_gate_is_counted_both_ways() -> None:
    for name in ("museum-wing", "scenic-site"):
        v = load_sample(name)
        channels = {(s.gate, s.direction) for s in v.sensors if s.kind is SensorKind.GATE_COUNTER}
        assert channels == {(g.id, d) for g in v.gates for d in GateDirection}, name


def test_scenic_site_is_connected_from_the_entrance() -> None:
    site = load_sample("scenic-site")
    g = zone_graph(site)
    assert np.isfinite(g.distances).all()
    assert g.route("entrance-plaza", "pavilion") == [
        "plaza-queue",
        "ticket-gate",
        "pavilion-door",
    ]


def test_large_venue_has_the_requested_size() -> None:
    v = large_venue(zones=40, sensors_per_zone=10)
    assert len(v.zones) == 40
    counters = [s for s in v.sensors if s.kind is SensorKind.GATE_COUNTER]
    assert len(v.sensors) - len(counters) == 400
    # One two-way counter per gate: a forward and a backward channel.
    channels = sorted((s.gate or "", s.direction.value) for s in counters)
    assert channels == sorted((g.id, d.value) for g in v.gates for d in GateDirection)
    assert np.isfinite(zone_graph(v).distances).all(), "every room is reachable"


def test_large_venue_is_deterministic_and_well_placed() -> None:
    a, b = large_venue(zones=12, sensors_per_zone=5), large_venue(zones=12, sensors_per_zone=5)
    assert a == b
    assert check_venue(a, procedural_mesh(a)) == []
    assert large_venue(zones=12, sensors_per_zone=5, seed=8) != a
