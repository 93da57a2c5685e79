"""People trackers' positions, live: density and speed agree with PedPy; counts fuse.

The reference is PedPy itself on the same small track set: classic density,
Voronoi density (cells restricted to the zone) and the mean speed per frame
(``frame_step=1``, border frames excluded).
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from ingest.contract import Reading, TrackFrame
from twin.live_analytics import AnalyticsConfig, VenueAnalytics
from twin.live_analytics.tracker_zones import TrackerZones
from twin.venue import Venue

pedpy = pytest.importorskip("pedpy")  # the `crowd` extra; CI installs it

T0 = 1_732_525_200.0
FPS = 10.0
HALL = [(0.0, 0.0), (10.0, 0.0), (10.0, 3.0), (0.0, 3.0)]


def hall(*, counters: bool = False) -> Venue:
    sensors: list[dict[str, object]] = [
        {"id": "trk", "kind": "people_tracker", "zone": "hall", "position": [5, 1.5, 3]}
    ]
    return Venue.model_validate(
        {
            "id": "v",
            "name": "V",
            "zones": [{"id": "hall", "name": "Hall", "floor": [list(p) for p in HALL]}],
            "gates": [],
            "sensors": sensors,
        }
    )


def tracks(n_frames: int = 40, seed: int = 1) -> pd.DataFrame:
    """Eight people walking both ways at 0.4-1.0 m/s with a wobble; all stay in the hall."""
    rng = np.random.default_rng(seed)
    rows = []
    for pid in range(8):
        x0, y0 = rng.uniform(4.0, 6.0), rng.uniform(0.4, 2.6)
        v = rng.uniform(0.4, 1.0) * (1 if pid % 2 else -1)
        for f in range(n_frames):
            t = f / FPS
            x = x0 + v * t
            y = y0 + 0.15 * np.sin(2.0 * t + pid)
            rows.append((pid, f, x, y))
    return pd.DataFrame(rows, columns=["id", "frame", "x", "y"])


def frames(df: pd.DataFrame, with_ids: bool = True) -> list[TrackFrame]:
    out = []
    for f, g in df.groupby("frame"):
        pos = tuple((float(x), float(y)) for x, y in zip(g["x"], g["y"], strict=True))
        ids = tuple(str(i) for i in g["id"]) if with_ids else None
        out.append(TrackFrame("v", "trk", T0 + int(f) / FPS, len(pos), pos, ids))
    return out


def test_density_and_speed_match_pedpy_on_a_known_track_set() -> None:
    df = tracks()
    traj = pedpy.TrajectoryData(data=df, frame_rate=FPS)
    area = pedpy.MeasurementArea(HALL)
    classic = pedpy.compute_classic_density(traj_data=traj, measurement_area=area)
    cells = pedpy.compute_individual_voronoi_polygons(
        traj_data=traj, walkable_area=pedpy.WalkableArea(HALL)
    )
    voronoi, _ = pedpy.compute_voronoi_density(individual_voronoi_data=cells, measurement_area=area)
    speed = pedpy.compute_individual_speed(
        traj_data=traj, frame_step=1, speed_calculation=pedpy.SpeedCalculation.BORDER_EXCLUDE
    )
    # PedPy averages per frame over people with a speed: the border frames have none.
    inner = pedpy.TrajectoryData(data=df[df["frame"].between(1, 38)], frame_rate=FPS)
    mean_speed = pedpy.compute_mean_speed_per_frame(
        traj_data=inner, individual_speed=speed, measurement_area=area
    )

    zones = TrackerZones(hall())
    last = frames(df)
    for k, fr in enumerate(last):
        zones.add(fr)
        if k in (5, 20):  # the densities of the frame a step closes on
            got = zones.step(fr.ts)["hall"]
            assert got.classic_density == pytest.approx(classic["density"].iloc[k], rel=1e-9)
            assert got.voronoi_density == pytest.approx(voronoi["density"].iloc[k], rel=0.02)
    got = zones.step(last[-1].ts)["hall"]
    # Frames 21..38 had both neighbours after the step at frame 20.
    ref = mean_speed.set_index("frame")["speed"].loc[20:38].mean()
    # Equal up to epoch-second rounding of the frame times (PedPy uses frame / fps).
    assert got.speed_m_s == pytest.approx(ref, rel=1e-5)


def test_without_ids_there_is_density_but_no_speed() -> None:
    zones = TrackerZones(hall())
    for fr in frames(tracks(), with_ids=False):
        zones.add(fr)
    got = zones.step(T0 + 5)["hall"]  # last frame at 3.9 s
    assert got.speed_m_s is None
    assert got.classic_density == pytest.approx(8 / 30)
    # A tracker silent for over 3 frame intervals (at least 5 s) is offline: nothing.
    assert zones.step(T0 + 100) == {}


def test_the_tracker_count_is_a_direct_count_and_its_figures_reach_the_results() -> None:
    va = VenueAnalytics(hall(), AnalyticsConfig(crowd_step_s=1.0))
    va.process([Reading("v", "trk", T0, 0.0)])
    update = None
    for fr in frames(tracks(n_frames=30)):
        update, _ = va.process([fr, Reading("v", "trk", fr.ts, float(fr.count))])
        if update.crowd:
            last = update
    assert update is not None
    crowd = last.crowd[0]
    # Eight seen; the tracker's expected 2 % dropped tracks are added back.
    assert crowd.occupancy == pytest.approx(8 / 0.98, abs=0.5)
    assert crowd.tracked_density == pytest.approx(8 / 30)
    assert crowd.voronoi_density == pytest.approx(8 / 30, rel=0.05)
    assert crowd.speed_m_s is not None and 0.4 < crowd.speed_m_s < 1.1


def test_line_flows_through_gates_no_counter_counts_agree_with_pedpy() -> None:
    doc = hall().model_dump(mode="json")
    doc["gates"] = [
        {"id": "west", "from_zone": None, "to_zone": "hall", "position": [0, 1.5], "width_m": 3},
        {"id": "east", "from_zone": "hall", "to_zone": None, "position": [10, 1.5], "width_m": 3},
    ]
    venue = Venue.model_validate(doc)
    rng = np.random.default_rng(4)
    rows = []
    for pid in range(12):
        east = pid != 5  # one walks back west
        x0 = rng.uniform(-3.0, 2.0) if east else rng.uniform(10.5, 11.0)
        v = rng.uniform(0.8, 1.4) * (1 if east else -1)
        y = rng.uniform(0.3, 2.7)
        for f in range(120):
            rows.append((pid, f, x0 + v * f / FPS, y + 0.1 * np.sin(f / 7 + pid)))
    df = pd.DataFrame(rows, columns=["id", "frame", "x", "y"])
    traj = pedpy.TrajectoryData(data=df, frame_rate=FPS)
    crossed = {}
    for gate, x in (("west", 0.0), ("east", 10.0)):
        nt, _ = pedpy.compute_n_t(
            traj_data=traj, measurement_line=pedpy.MeasurementLine([(x, 0.0), (x, 3.0)])
        )
        crossed[gate] = int(nt["cumulative_pedestrians"].iloc[-1])
    va = VenueAnalytics(venue, AnalyticsConfig(crowd_step_s=1000.0))
    va.process([Reading("v", "trk", T0, 0.0)])
    for fr in frames(df):
        va.process([fr, Reading("v", "trk", fr.ts, float(fr.count))])
    final = va.finish()
    dt = final.ts - T0
    flows = {f.gate: (f.forward_per_s, f.backward_per_s) for f in final.flows}
    for gate in ("west", "east"):
        fwd, back = flows[gate]
        assert fwd is not None and back is not None
        # PedPy counts each person's first crossing either way; everyone crosses once here.
        assert round((fwd + back) * dt) == crossed[gate] > 0
    # Forward is the gate's from_zone -> to_zone: +x at both (outside -> hall -> outside).
    first = df[df["frame"] == 0].set_index("id")["x"]
    last = df[df["frame"] == 119].set_index("id")["x"]
    for gate, x in (("west", 0.0), ("east", 10.0)):
        plus = int(((first < x) & (last > x)).sum())
        minus = int(((first > x) & (last < x)).sum())
        assert (round(flows[gate][0] * dt), round(flows[gate][1] * dt)) == (plus, minus)
    assert flows["east"][1] is not None and flows["east"][1] > 0  # the one walking back
