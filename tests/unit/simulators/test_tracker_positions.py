"""Simulated people trackers send positions with track ids and dropouts, as ingest expects."""

from __future__ import annotations

import numpy as np
import pytest
import shapely

from ingest.contract import Reading, TrackFrame
from ingest.people_tracks import parse_track
from simulators.tracker_positions import TrackerPositions
from twin.live_analytics import AnalyticsConfig, VenueAnalytics
from twin.venue import Venue

T0 = 1_732_525_200.0
L_ROOM = [(0.0, 0.0), (12.0, 0.0), (12.0, 4.0), (4.0, 4.0), (4.0, 10.0), (0.0, 10.0)]


def venue() -> Venue:
    return Venue.model_validate(
        {
            "id": "v",
            "name": "V",
            "zones": [
                {"id": "room", "name": "Room", "floor": [list(p) for p in L_ROOM]},
                {"id": "hall", "name": "Hall", "floor": [[20, 0], [30, 0], [30, 5], [20, 5]]},
            ],
            "gates": [],
            "sensors": [
                {"id": "trk", "kind": "people_tracker", "zone": "room", "position": [2, 2, 3]},
                {"id": "cam", "kind": "people_count", "zone": "hall", "position": [25, 2, 3]},
            ],
        }
    )


def test_frames_are_valid_tracker_messages_of_the_zone_s_people() -> None:
    tp = TrackerPositions(venue(), np.random.default_rng(0), dropout=0.1, speed_m_s=1.0)
    room = shapely.Polygon(L_ROOM)
    seen = []
    prev: dict[str, tuple[float, float]] = {}
    for k in range(200):
        doc = tp.frame("trk", T0 + k, 30)
        count, positions, ids = parse_track(doc)  # what ingest accepts
        assert ids is not None and count == len(positions) == len(ids)
        assert shapely.contains_xy(room, np.array(positions)).all()
        now = dict(zip(ids, positions, strict=True))
        # The same people walk on: a tracked person moves at most 1 m in 1 s.
        for t in set(now) & set(prev):
            assert np.hypot(*np.subtract(now[t], prev[t])) <= 1.002  # mm rounding
        assert len(set(now) & set(prev)) > 15 or not prev  # 30 x 0.9 x 0.9 expected
        prev = now
        seen.append(count)
    # Each person is dropped from a frame 10 % of the time.
    assert np.mean(seen) == pytest.approx(27.0, abs=0.5)
    assert min(seen) < 30


def test_leavers_lose_their_track_and_newcomers_get_new_ids() -> None:
    tp = TrackerPositions(venue(), np.random.default_rng(1), dropout=0.0)
    first = set(parse_track(tp.frame("trk", T0, 10))[2] or ())
    fewer = set(parse_track(tp.frame("trk", T0 + 1, 4))[2] or ())
    more = set(parse_track(tp.frame("trk", T0 + 2, 9))[2] or ())
    assert len(first) == 10 and len(fewer) == 4 and len(more) == 9
    assert fewer <= first
    assert fewer <= more and not (more - fewer) & first


def test_split_replaces_tracker_counts_with_frames_that_reach_the_live_analytics() -> None:
    v = venue()
    tp = TrackerPositions(v, np.random.default_rng(2), dropout=0.02)
    va = VenueAnalytics(v, AnalyticsConfig(crowd_step_s=1.0))
    area = v.zones[0].area_m2
    density = []
    for k in range(30):
        ts = T0 + k
        readings = [Reading("v", "trk", ts, 17.0), Reading("v", "cam", ts, 3.0)]  # 20 there
        plain, frames = tp.split(readings, {"room": 20, "hall": 3})
        assert [r.sensor for r in plain] == ["cam"]
        ((sensor, doc),) = frames
        count, positions, ids = parse_track(doc)
        # The sensor model's count (with its dropouts and faults) is the frame's.
        assert count == 17 and len(positions) <= 17
        frame = TrackFrame("v", sensor, doc["ts"] / 1000.0, count, positions, ids)
        update, _ = va.process([*plain, frame, Reading("v", sensor, frame.ts, float(count))])
        density += [c.tracked_density for c in update.crowd if c.zone == "room"]
    # Density is what the tracker located: 17 of the 20.
    assert density and np.mean(density[5:]) == pytest.approx(17 / area, rel=0.05)
