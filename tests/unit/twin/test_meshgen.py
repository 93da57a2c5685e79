"""Procedural venue mesh: named floors and walls, doorways at gates, extents."""

from __future__ import annotations

import numpy as np
import pytest
import trimesh

from twin.geometry.meshgen import DOOR_HEIGHT_M, SLAB_THICKNESS_M, door_openings, venue_scene
from twin.geometry.polygons import polygon_area
from twin.loader import load_sample
from twin.venue import Venue


@pytest.fixture(scope="module")
def museum() -> Venue:
    return load_sample("museum-wing")


@pytest.fixture(scope="module")
def museum_scene(museum: Venue) -> trimesh.Scene:
    return venue_scene(museum)


def _hits(
    mesh: trimesh.Trimesh,
    origin: tuple[float, float, float],
    direction: tuple[float, float, float],
    within: float = 3.0,
) -> bool:
    """Whether a ray from ``origin`` meets ``mesh`` within ``within`` metres."""
    locations, _, _ = mesh.ray.intersects_location([origin], [direction])
    if len(locations) == 0:
        return False
    return bool((np.linalg.norm(locations - np.asarray(origin), axis=1) <= within).any())


def test_one_named_floor_and_walls_node_per_zone(
    museum: Venue, museum_scene: trimesh.Scene
) -> None:
    names = set(museum_scene.graph.nodes_geometry)
    ids = [z.id for z in museum.zones]
    assert names == {f"zone:{i}" for i in ids} | {f"walls:{i}" for i in ids}


def test_outdoor_zones_get_ground_but_no_walls() -> None:
    site = load_sample("scenic-site")
    names = set(venue_scene(site).graph.nodes_geometry)
    for zone in site.zones:
        assert f"zone:{zone.id}" in names
        assert (f"walls:{zone.id}" in names) is not zone.outdoor


def test_bounding_box_matches_the_zones(museum: Venue, museum_scene: trimesh.Scene) -> None:
    floors = np.array([p for z in museum.zones for p in z.floor])
    top = max(z.level + z.height for z in museum.zones)
    expected = [[*floors.min(axis=0), -SLAB_THICKNESS_M], [*floors.max(axis=0), top]]
    assert np.allclose(museum_scene.bounds, expected)


def test_floor_top_area_equals_zone_area(museum: Venue, museum_scene: trimesh.Scene) -> None:
    for zone in museum.zones:
        floor = museum_scene.geometry[f"zone:{zone.id}"]
        up = floor.face_normals[:, 2] > 0.99
        assert floor.area_faces[up].sum() == pytest.approx(polygon_area(zone.floor))
        assert floor.bounds[1, 2] == pytest.approx(zone.level)


def test_main_door_is_open_below_door_height_and_has_a_lintel(
    museum_scene: trimesh.Scene,
) -> None:
    walls = museum_scene.geometry["walls:entrance"]
    # The main door is 3 m wide at (6, 0) on the south wall; walk out through it.
    assert not _hits(walls, (6.0, 1.0, 1.0), (0.0, -1.0, 0.0))
    assert not _hits(walls, (7.4, 1.0, 2.0), (0.0, -1.0, 0.0))
    assert _hits(walls, (6.0, 1.0, DOOR_HEIGHT_M + 0.5), (0.0, -1.0, 0.0)), "lintel"
    assert _hits(walls, (2.0, 1.0, 1.0), (0.0, -1.0, 0.0)), "solid wall beside the door"
    assert _hits(walls, (8.0, 1.0, 1.0), (0.0, -1.0, 0.0)), "door is only 3 m wide"


def test_both_sides_of_an_internal_gate_are_open(museum_scene: trimesh.Scene) -> None:
    # corridor-a at (19, 4): corridor's north wall and gallery A's south wall.
    corridor = museum_scene.geometry["walls:corridor"]
    gallery = museum_scene.geometry["walls:gallery-a"]
    for walls in (corridor, gallery):
        assert not _hits(walls, (19.0, 2.0, 1.0), (0.0, 1.0, 0.0))
        assert _hits(walls, (16.0, 2.0, 1.0), (0.0, 1.0, 0.0))


def test_door_openings_per_edge(museum: Venue) -> None:
    corridor = museum.zone_by_id["corridor"]
    openings = door_openings(corridor, museum.gates)
    # Edge 0 runs (12,0)->(40,0): no gate. Edge 1 (40,0)->(40,4): corridor-c at y=2.
    # Edge 2 (40,4)->(12,4): gates at x=33 and x=19, 2 m wide. Edge 3: hall door.
    assert 0 not in openings
    assert openings[1] == [pytest.approx((1.0, 3.0))]
    assert openings[2] == [pytest.approx((6.0, 8.0)), pytest.approx((20.0, 22.0))]
    assert openings[3] == [pytest.approx((0.75, 3.25))]


def test_clockwise_polygons_still_get_walls_inside() -> None:
    v = Venue.model_validate(
        {
            "id": "cw",
            "name": "cw",
            "zones": [{"id": "r", "name": "r", "floor": [[0, 0], [0, 10], [10, 10], [10, 0]]}],
            "gates": [{"id": "g", "from_zone": None, "to_zone": "r", "position": [5, 0]}],
        }
    )
    walls = venue_scene(v).geometry["walls:r"]
    assert np.allclose(walls.bounds[:, :2], [[0, 0], [10, 10]])
    assert not _hits(walls, (5.0, 1.0, 1.0), (0.0, -1.0, 0.0))
