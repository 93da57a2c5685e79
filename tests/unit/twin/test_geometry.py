"""Polygon maths, containment and triangulation against known values."""

from __future__ import annotations

import numpy as np
import pytest
from numpy.typing import NDArray

from twin.geometry.polygons import (
    GeometryError,
    frame_matrix,
    points_in_polygon,
    polygon_area,
    polygon_centroid,
    polygon_signed_area,
    triangulate_polygon,
    zone_of_points,
)
from twin.venue import Zone

SQUARE = [(0.0, 0.0), (4.0, 0.0), (4.0, 4.0), (0.0, 4.0)]
# An L: 4 x 4 square minus its 2 x 2 top-right quarter; area 12.
L_SHAPE = [(0.0, 0.0), (4.0, 0.0), (4.0, 2.0), (2.0, 2.0), (2.0, 4.0), (0.0, 4.0)]


def test_shoelace_area_of_known_shapes() -> None:
    assert polygon_area(SQUARE) == pytest.approx(16.0)
    assert polygon_area(L_SHAPE) == pytest.approx(12.0)
    assert polygon_area([(0, 0), (3, 0), (0, 4)]) == pytest.approx(6.0)


def test_signed_area_tells_winding_apart() -> None:
    assert polygon_signed_area(SQUARE) > 0
    assert polygon_signed_area(SQUARE[::-1]) == pytest.approx(-16.0)


def test_closed_ring_is_accepted() -> None:
    assert polygon_area([*SQUARE, SQUARE[0]]) == pytest.approx(16.0)


def test_degenerate_polygon_is_rejected() -> None:
    with pytest.raises(GeometryError):
        polygon_area([(0, 0), (1, 1)])


def test_centroid_of_l_shape() -> None:
    # Union of a 4x2 strip (centre 2,1; area 8) and a 2x2 square (centre 1,3; area 4).
    expected = (np.array([2.0, 1.0]) * 8 + np.array([1.0, 3.0]) * 4) / 12
    assert np.allclose(polygon_centroid(L_SHAPE), expected)


def test_points_in_concave_polygon() -> None:
    pts = [(1, 1), (3, 1), (3, 3), (1, 3), (5, 1), (-0.1, 2)]
    assert points_in_polygon(pts, L_SHAPE).tolist() == [True, True, False, True, False, False]


def test_points_on_edges_and_vertices_count_as_inside() -> None:
    pts = [(2, 0), (4, 4), (0, 2), (2, 3)]
    assert points_in_polygon(pts, SQUARE).all()


def test_points_in_polygon_is_vectorised_over_many_points() -> None:
    rng = np.random.default_rng(0)
    pts = rng.uniform(-1, 5, size=(10_000, 2))
    inside = points_in_polygon(pts, SQUARE)
    expected = (pts >= 0).all(axis=1) & (pts <= 4).all(axis=1)
    assert inside.shape == (10_000,)
    assert (inside == expected).all()


# A comb: two collinear top edges that must not be taken for a crossing; area 20.
COMB = [
    (0.0, 0.0),
    (6.0, 0.0),
    (6.0, 4.0),
    (4.0, 4.0),
    (4.0, 2.0),
    (2.0, 2.0),
    (2.0, 4.0),
    (0.0, 4.0),
]


def _signed_areas(tri: NDArray[np.float64]) -> NDArray[np.float64]:
    u, v = tri[:, 1] - tri[:, 0], tri[:, 2] - tri[:, 0]
    return np.asarray(0.5 * (u[:, 0] * v[:, 1] - u[:, 1] * v[:, 0]), dtype=np.float64)


@pytest.mark.parametrize("poly", [SQUARE, L_SHAPE, L_SHAPE[::-1], COMB])
def test_triangulation_covers_the_polygon_area(poly: list[tuple[float, float]]) -> None:
    verts, faces = triangulate_polygon(poly)
    assert len(faces) == len(poly) - 2
    tri = verts[faces]
    signed = _signed_areas(tri)
    assert (signed > 0).all(), "faces must be counter-clockwise"
    assert signed.sum() == pytest.approx(polygon_area(poly))


def test_triangulation_skips_collinear_vertices() -> None:
    poly = [(0, 0), (2, 0), (4, 0), (4, 4), (0, 4)]
    verts, faces = triangulate_polygon(poly)
    tri = verts[faces]
    area = np.abs(_signed_areas(tri)).sum()
    assert area == pytest.approx(16.0)


@pytest.mark.parametrize(
    "poly",
    [
        [(0, 0), (4, 4), (4, 0), (0, 4)],  # bow tie
        [(0, 0), (4, 0), (4, 4), (2, 0), (0, 4)],  # vertex touching an edge
    ],
)
def test_self_intersecting_polygon_is_rejected(poly: list[tuple[float, float]]) -> None:
    with pytest.raises(GeometryError, match="self-intersecting"):
        triangulate_polygon(poly)


def _zone(zid: str, floor: list[tuple[float, float]], level: float = 0.0) -> Zone:
    return Zone(id=zid, name=zid, floor=floor, level=level, height=4.0)


def test_zone_of_points_by_polygon_and_height() -> None:
    zones = [
        _zone("west", [(0, 0), (10, 0), (10, 10), (0, 10)]),
        _zone("east", [(10, 0), (20, 0), (20, 10), (10, 10)]),
        _zone("upper", [(0, 0), (10, 0), (10, 10), (0, 10)], level=4.0),
    ]
    pts = [(5, 5, 1), (15, 5, 2), (5, 5, 6), (25, 5, 1), (5, 5, 9)]
    assert zone_of_points(zones, pts) == ["west", "east", "upper", None, None]


def test_point_on_shared_wall_goes_to_first_zone_and_floor_to_storey_above() -> None:
    zones = [
        _zone("west", [(0, 0), (10, 0), (10, 10), (0, 10)]),
        _zone("east", [(10, 0), (20, 0), (20, 10), (10, 10)]),
        _zone("upper", [(0, 0), (10, 0), (10, 10), (0, 10)], level=4.0),
    ]
    assert zone_of_points(zones, [(10, 5, 1), (5, 5, 4.0)]) == ["west", "upper"]


def test_frame_matrix_converts_units_and_y_up() -> None:
    m = frame_matrix("mm", "y")
    p = m @ np.array([1000.0, 2000.0, 3000.0, 1.0])
    # Y-up source (x, y, z) is twin (x, -z, y), in metres.
    assert np.allclose(p[:3], [1.0, -3.0, 2.0])
    with pytest.raises(GeometryError):
        frame_matrix("furlong")
