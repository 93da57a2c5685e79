"""Zone graph and walking distances through gates."""

from __future__ import annotations

import math

import numpy as np
import pytest

from twin.geometry.graph import zone_graph
from twin.geometry.polygons import GeometryError
from twin.loader import load_sample
from twin.venue import Gate, Venue, Zone


def _box(zid: str, x0: float) -> Zone:
    return Zone(id=zid, name=zid, floor=[(x0, 0), (x0 + 10, 0), (x0 + 10, 10), (x0, 10)])


def _row_venue() -> Venue:
    # a | b | c in a row, doors at mid-height of each shared wall; d is cut off.
    return Venue(
        id="row",
        name="row",
        zones=[_box("a", 0), _box("b", 10), _box("c", 20), _box("d", 40)],
        gates=[
            Gate(id="ab", from_zone="a", to_zone="b", position=(10, 5)),
            Gate(id="bc", from_zone="b", to_zone="c", position=(20, 5)),
            Gate(id="in", from_zone=None, to_zone="a", position=(5, 0)),
        ],
    )


def test_neighbours_and_hops() -> None:
    g = zone_graph(_row_venue())
    assert g.neighbours("b") == ["a", "c"]
    assert g.neighbours("d") == []
    assert g.hops[g.index["a"], g.index["c"]] == 2
    assert math.isinf(g.hops[g.index["a"], g.index["d"]])
    assert [e.gate_id for e in g.entrances()] == ["in"]


def test_distance_walks_through_gate_positions() -> None:
    g = zone_graph(_row_venue())
    # Centroids (5,5), (15,5), (25,5); gates at (10,5), (20,5): a straight 20 m.
    assert g.distance("a", "c") == pytest.approx(20.0)
    assert g.distance("c", "a") == pytest.approx(20.0)
    assert g.distance("a", "a") == 0.0
    assert math.isinf(g.distance("a", "d"))
    assert g.route("a", "c") == ["ab", "bc"]


def test_route_to_unreachable_zone_is_an_error() -> None:
    g = zone_graph(_row_venue())
    with pytest.raises(GeometryError, match="no route"):
        g.route("a", "d")
    with pytest.raises(GeometryError, match="unknown zone"):
        g.distance("a", "nowhere")


def test_detour_is_longer_than_straight_line() -> None:
    v = load_sample("museum-wing")
    g = zone_graph(v)
    # Gallery A to B goes back through the corridor: longer than centroid to centroid.
    a, b = g.centroids[g.index["gallery-a"]], g.centroids[g.index["gallery-b"]]
    assert g.distance("gallery-a", "gallery-b") > float(np.linalg.norm(a - b))
    assert g.route("gallery-a", "gallery-b") == ["corridor-a", "corridor-b"]
    assert np.isfinite(g.distances).all()
    assert np.allclose(g.distances, g.distances.T)
