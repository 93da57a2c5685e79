"""A people tracker that goes silent: its crossings and its count are unknown, not zero.

Visitors enter a lobby through a counted entry and walk on into a hall
through a door only the hall's tracker watches. Before, when the tracker
stopped sending, the door's channel read 0 crossings: the lobby kept
everyone who came in, confidently, and the hall froze.
"""

from __future__ import annotations

from dataclasses import dataclass

import pytest

from ingest.contract import Reading, TrackFrame
from twin.live_analytics import AnalyticsConfig, VenueAnalytics
from twin.live_analytics.results import GateFlow, ZoneCrowd
from twin.live_analytics.tracker_liveness import TrackerLiveness
from twin.venue import Venue

T0 = 1_732_525_200.0
FPS = 2.0
ARRIVAL_S = 10.0  # one visitor every 10 s
WALK_M_S = 1.0


def lobby_and_hall() -> Venue:
    """Lobby x 0-10 m (3 m deep), hall x 10-30 m (10 m deep); the door is at x = 10."""
    sensors: list[dict[str, object]] = [
        {
            "id": f"entry-{way}",
            "kind": "gate_counter",
            "zone": "lobby",
            "gate": "entry",
            "direction": way,
            "position": [0, 1.5, 3],
            "interval_s": 10,
        }
        for way in ("forward", "backward")
    ]
    sensors.append(
        {
            "id": "trk",
            "kind": "people_tracker",
            "zone": "hall",
            "position": [20, 5, 4],
            "interval_s": 1 / FPS,
        }
    )
    return Venue.model_validate(
        {
            "id": "v",
            "name": "V",
            "zones": [
                {"id": "lobby", "name": "Lobby", "floor": [[0, 0], [10, 0], [10, 3], [0, 3]]},
                {"id": "hall", "name": "Hall", "floor": [[10, 0], [30, 0], [30, 10], [10, 10]]},
            ],
            "gates": [
                {"id": "entry", "from_zone": None, "to_zone": "lobby", "position": [0, 1.5]},
                {
                    "id": "door",
                    "from_zone": "lobby",
                    "to_zone": "hall",
                    "position": [10, 1.5],
                    "width_m": 3,
                },
            ],
            "sensors": sensors,
        }
    )


def position(k: int, t: float) -> tuple[float, float]:
    """Visitor ``k`` (arrived at ``k * ARRIVAL_S``) at time ``t``: walks in, then stands."""
    x = WALK_M_S * (t - k * ARRIVAL_S)
    stop_x, stop_y = 11.0 + (k % 18), 1.0 + (k // 18) % 9
    if x <= 10.0:
        return x, 1.5
    # Through the door, then straight to a spot in the hall.
    d = x - 10.0
    sx, sy = stop_x - 10.0, stop_y - 1.5
    length = (sx * sx + sy * sy) ** 0.5
    f = min(1.0, d / length)
    return 10.0 + f * sx, 1.5 + f * sy


@dataclass
class Run:
    crowd: dict[float, dict[str, ZoneCrowd]]
    flows: dict[float, dict[str, GateFlow]]


def run(minutes: float, silent: tuple[float, float]) -> Run:
    """Visitors arrive for ``minutes``; the tracker sends nothing in ``silent`` (s)."""
    va = VenueAnalytics(lobby_and_hall(), AnalyticsConfig(crowd_step_s=10.0))
    out = Run({}, {})
    n_frames = int(minutes * 60 * FPS)
    for f in range(n_frames + 1):
        t = f / FPS
        ts = T0 + t
        batch: list[Reading | TrackFrame] = []
        arrived = int(t // ARRIVAL_S) + 1
        if f % int(10 * FPS) == 0:  # the entry counter every 10 s, cumulative
            batch += [
                Reading("v", "entry-forward", ts, float(arrived)),
                Reading("v", "entry-backward", ts, 0.0),
            ]
        if not silent[0] <= t < silent[1]:
            pts = [position(k, t) for k in range(arrived)]
            # The tracker over the door also sees its lobby side (a metre of it).
            inside = [(k, p) for k, p in enumerate(pts) if p[0] > 9.0]
            xy = tuple(p for _, p in inside)
            ids = tuple(str(k) for k, _ in inside)
            n = float(sum(1 for p in xy if p[0] > 10.0))  # it counts the hall
            batch += [TrackFrame("v", "trk", ts, len(xy), xy, ids), Reading("v", "trk", ts, n)]
        if batch:
            update, _ = va.process(batch)
            if update.crowd:  # keyed by the step's end (it closes at the next message)
                end = update.crowd[0].ts - T0
                out.crowd[end] = {c.zone: c for c in update.crowd}
                out.flows[end] = {g.gate: g for g in update.flows}
    return out


def truth(t: float) -> dict[str, int]:
    arrived = int(t // ARRIVAL_S) + 1
    hall = sum(1 for k in range(arrived) if position(k, t)[0] > 10.0)
    return {"lobby": arrived - hall, "hall": hall}


def in_band(c: ZoneCrowd, true: int) -> bool:
    return abs(c.occupancy - true) <= 1.96 * c.occupancy_sd + 0.5


def test_a_silent_tracker_leaves_the_door_unknown_and_the_band_holds_the_truth() -> None:
    """10 min watched, 10 min silent: before, the lobby read ~60 too many, out of band."""
    r = run(20.0, (600.0, 1200.0))
    late = [t for t in r.crowd if 900.0 <= t < 1200.0]
    assert late
    for t in late:
        true = truth(t)
        lobby, hall = r.crowd[t]["lobby"], r.crowd[t]["hall"]
        assert in_band(lobby, true["lobby"]), (t, lobby.occupancy, lobby.occupancy_sd, true)
        assert in_band(hall, true["hall"]), (t, hall.occupancy, hall.occupancy_sd, true)
        # Not frozen by fake zeros: the lobby does not fill up with everyone who came in.
        assert lobby.occupancy < 10.0, (t, lobby.occupancy)
        assert hall.occupancy > 40.0, (t, hall.occupancy)
        # The tracker's own figures are unknown, and say why.
        assert hall.tracker_offline is True
        assert hall.tracked_density is None and hall.voronoi_density is None
        assert hall.tracked_positions is None  # nobody drawn where nobody is seen
        assert lobby.tracker_offline is None  # no tracker watches the lobby
        # The door's flow was not measured, so neither is the flow in and out of either side.
        door = r.flows[t]["door"]
        assert door.forward_per_s is None and door.backward_per_s is None
        assert hall.inflow_per_s is None and lobby.outflow_per_s is None
    # The band widened with the outage (uncertainty grows while nothing is seen).
    before = r.crowd[590.0]["lobby"].occupancy_sd
    assert r.crowd[1190.0]["lobby"].occupancy_sd > 3 * before


def test_while_the_tracker_sends_its_figures_are_there() -> None:
    r = run(12.0, (600.0, 660.0))
    t = 590.0
    hall = r.crowd[t]["hall"]
    assert hall.tracker_offline is False
    assert hall.tracked_density == pytest.approx(truth(t)["hall"] / 200.0, abs=0.01)
    # The people it saw inside the hall, for the viewer to draw (not the lobby's).
    assert hall.tracked_positions is not None
    # (One may stand on the door's line, x = 10: the polygon's edge counts as inside.)
    assert abs(len(hall.tracked_positions) - truth(t)["hall"]) <= 1
    assert all(x >= 10.0 for x, _ in hall.tracked_positions)
    assert r.flows[t]["door"].forward_per_s == pytest.approx(1 / ARRIVAL_S, abs=0.05)
    # Back after a minute's outage: measured again, and the count pulls the hall back.
    end = max(r.crowd)
    back = r.crowd[end]["hall"]
    assert back.tracker_offline is False and back.tracked_density is not None
    assert r.flows[end]["door"].forward_per_s is not None
    # As before the outage: the count and the crossings are corrected for the 2 % of
    # tracks a tracker is expected to drop (4 % of crossings); this one drops none.
    before = r.crowd[t]["hall"].occupancy / truth(t)["hall"]
    assert before == pytest.approx(1.0, abs=0.05)
    assert back.occupancy / truth(end)["hall"] == pytest.approx(before, abs=0.01)


def test_offline_is_a_few_of_the_trackers_own_frame_intervals() -> None:
    live = TrackerLiveness({"fast": 0.5, "slow": 60.0})
    for k in range(10):
        live.seen("fast", T0 + 2.0 * k)  # really sends every 2 s
        live.seen("slow", T0 + 60.0 * k)
    assert live.interval_s("fast") == pytest.approx(2.0)
    assert live.online("fast", T0 + 18.0 + 6.0)
    assert not live.online("fast", T0 + 18.0 + 6.5)  # three intervals of silence
    assert live.online("slow", T0 + 540.0 + 180.0)
    assert not live.online("slow", T0 + 540.0 + 181.0)
    # An outage's gap is not taken for the frame rate; coverage restarts after it.
    assert live.seen("fast", T0 + 100.0)
    assert live.interval_s("fast") == pytest.approx(2.0)
    assert not live.covered("fast", T0 + 90.0, T0 + 101.0)
    assert live.covered("fast", T0 + 100.0, T0 + 101.0)
