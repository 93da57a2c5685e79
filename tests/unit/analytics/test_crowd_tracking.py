"""Counts, densities, speed and line flow from a people tracker's positions."""

from __future__ import annotations

import numpy as np
import pytest

from twin.analytics.crowd.tracking import VoronoiGrid, classic_density, line_crossings, mean_speed

ROOM = [(0.0, 0.0), (4.0, 0.0), (4.0, 4.0), (0.0, 4.0)]
LEFT = [(0.0, 0.0), (2.0, 0.0), (2.0, 4.0), (0.0, 4.0)]
RIGHT = [(2.0, 0.0), (4.0, 0.0), (4.0, 4.0), (2.0, 4.0)]


def test_classic_density_counts_the_people_inside() -> None:
    xy = np.array([[0.5, 0.5], [1.5, 3.0], [3.0, 1.0]])
    assert classic_density(xy, LEFT, 8.0) == pytest.approx(2 / 8)
    assert classic_density(np.zeros((0, 2)), LEFT, 8.0) == 0.0


def test_voronoi_density_of_a_lattice_is_one_person_per_cell() -> None:
    # One person in the middle of every 1 m square: each owns exactly 1 m^2.
    xy = np.array([[x + 0.5, y + 0.5] for x in range(4) for y in range(4)], dtype=float)
    grid = VoronoiGrid(ROOM, [LEFT, RIGHT], grid_m=0.05)
    assert grid.density(xy) == pytest.approx([1.0, 1.0], rel=1e-3)
    # Two people in the left half, nobody on the right: their cells reach over
    # the line, so the right half is not empty in Voronoi terms (unlike classic).
    d = grid.density(np.array([[0.5, 1.0], [0.5, 3.0]]))
    assert d.sum() * 8.0 == pytest.approx(2.0, rel=1e-3)  # two people in all
    assert d[1] > 0.0


def test_voronoi_density_agrees_with_pedpy() -> None:
    pedpy = pytest.importorskip("pedpy")
    pd = pytest.importorskip("pandas")
    rng = np.random.default_rng(0)
    xy = rng.uniform(0.1, 3.9, (12, 2))
    traj = pedpy.TrajectoryData(
        data=pd.DataFrame({"id": range(12), "frame": 0, "x": xy[:, 0], "y": xy[:, 1]}),
        frame_rate=25.0,
    )
    polys = pedpy.compute_individual_voronoi_polygons(
        traj_data=traj, walkable_area=pedpy.WalkableArea(ROOM)
    )
    ref, _ = pedpy.compute_voronoi_density(
        individual_voronoi_data=polys, measurement_area=pedpy.MeasurementArea(LEFT)
    )
    ours = VoronoiGrid(ROOM, [LEFT], grid_m=0.02).density(xy)[0]
    assert ours == pytest.approx(float(ref["density"].iloc[0]), rel=0.01)


def test_speed_and_line_flow_from_matched_tracks() -> None:
    ids0, ids1 = np.array([1, 2, 3]), np.array([2, 3, 4])
    xy0 = np.array([[1.0, 1.0], [1.8, 2.0], [2.5, 3.0]])
    xy1 = np.array([[2.3, 2.0], [2.0, 3.0], [0.0, 0.0]])  # 2 moves 0.5 east, 3 moves 0.5 west
    assert mean_speed(ids0, xy0, ids1, xy1, 0.5) == pytest.approx(1.0)
    assert mean_speed(ids0, xy0, np.array([9]), np.zeros((1, 2)), 0.5) is None
    xy1[1] = (1.9, 3.0)  # 3 now ends past the line
    # The line x = 2 from (2, 0) up to (2, 4): its left side is west.
    west_to_east, east_to_west = line_crossings(ids0, xy0, ids1, xy1, ((2.0, 0.0), (2.0, 4.0)))
    assert (west_to_east, east_to_west) == (1, 1)
    # A move beside the segment's end does not cross it.
    assert line_crossings(ids0, xy0, ids1, xy1, ((2.0, 0.0), (2.0, 1.5))) == (0, 0)
