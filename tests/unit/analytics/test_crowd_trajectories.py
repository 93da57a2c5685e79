"""Trajectory files, the zone truth they imply, and ``venue-twin crowd evaluate`` on them."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from twin.analytics.crowd import InvalidInput
from twin.analytics.crowd.trajectories import (
    crossings,
    load_trajectories,
    occupancy_per_frame,
    zone_of_points,
)
from twin.venue import Venue
from venue_twin.cli import main
from venue_twin.crowd_evaluate import SensorErrors, evaluate, ground_truth

FPS = 10


def write_corridor(path: Path, people: int = 120, unit_cm: bool = True) -> None:
    """People walk a 12 m corridor at 1.2 m/s, one every 0.4 s, alternately west and east."""
    scale = 100.0 if unit_cm else 1.0
    lines = [f"# framerate: {FPS}", "# id frame x y z"]
    for p in range(people):
        start = int(p * 0.4 * FPS)
        eastward = p % 2 == 0
        for f in range(int(12 / 1.2 * FPS) + 1):
            x = -6 + 1.2 * f / FPS
            x = x if eastward else -x
            y = 1.0 + (p % 3)
            lines.append(f"{p + 1} {start + f} {x * scale:.2f} {y * scale:.2f} 170")
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")


def corridor_venue() -> Venue:
    ids = ["west", "centre", "east"]
    xs = [-6.1, -2.0, 2.0, 6.1]
    sides = [None, *ids, None]
    return Venue.model_validate(
        {
            "id": "corridor",
            "name": "Corridor",
            "zones": [
                {"id": z, "name": z, "floor": [[a, 0], [b, 0], [b, 4], [a, 4]], "transit": True}
                for z, a, b in zip(ids, xs[:-1], xs[1:], strict=True)
            ],
            "gates": [
                {
                    "id": f"g{k}",
                    "from_zone": sides[k],
                    "to_zone": sides[k + 1],
                    "position": [xs[k], 2],
                }
                for k in range(4)
            ],
            "sensors": [
                {
                    "id": f"g{k}-{way}",
                    "kind": "gate_counter",
                    "zone": ids[min(k, 2)],
                    "gate": f"g{k}",
                    "direction": way,
                    "position": [xs[k], 2, 3],
                }
                for k in range(4)
                for way in ("forward", "backward")
            ]
            + [{"id": "cam", "kind": "people_count", "zone": "centre", "position": [0, 2, 4]}],
        }
    )


def test_trajectory_truth_counts_people_and_crossings(tmp_path: Path) -> None:
    path = tmp_path / "corridor.txt"
    write_corridor(path, people=10)
    traj = load_trajectories(path, "cm")
    assert traj.fps == FPS
    assert traj.xy[:, 0].max() == pytest.approx(6.0)
    venue = corridor_venue()
    zone = zone_of_points(traj.xy, [z.floor for z in venue.zones])
    assert (zone >= 0).all()
    occ = occupancy_per_frame(traj, zone, 3)
    # Frame by frame, everyone tracked is in exactly one zone.
    per_frame = np.bincount(traj.frame - traj.first_frame, minlength=len(occ))
    assert (occ.sum(axis=1) == per_frame).all()
    cr = crossings(traj, zone)
    # Each person enters from outside, crosses two inner gates and leaves: 4 moves.
    assert len(cr.frame) == 40
    truth = ground_truth(venue, traj, 1.0)
    assert truth.uncounted == 0
    assert truth.channel.sum() == 40
    assert truth.channel[:, 0].sum() == 5  # g0 forward: the eastbound five enter


def test_bad_trajectory_files_are_refused(tmp_path: Path) -> None:
    path = tmp_path / "bad.txt"
    path.write_text("1 2 3\n", encoding="utf-8")
    with pytest.raises(InvalidInput, match="framerate"):
        load_trajectories(path, "m")
    with pytest.raises(InvalidInput, match="id frame x y"):
        load_trajectories(path, "m", fps=25)
    with pytest.raises(InvalidInput, match="unit"):
        load_trajectories(path, "ft", fps=25)


def test_evaluate_scores_exact_and_missing_counters(tmp_path: Path) -> None:
    path = tmp_path / "corridor.txt"
    write_corridor(path, people=300)
    traj = load_trajectories(path, "cm")
    venue = corridor_venue()
    exact = SensorErrors((0.0, 0.0), 0.0, 0.0, 0.0, 0.0)
    _, scores, flows = evaluate(venue, traj, exact, seeds=2)
    # Exact sensors: the 4 % miss prior and the transit prior's walking speed
    # (1.34 m/s against the tracks' 1.2) separate the estimate from the truth.
    assert all(np.mean(s.mae_pct_peak) < 10.0 for s in scores.values())
    _, noisy, flows = evaluate(venue, traj, SensorErrors(), seeds=5)
    for s in noisy.values():
        # Zones of 8-9 people at peak: one person is 11 %.
        limit = 10.0 if s.observed else 20.0
        assert np.mean(s.mae_pct_peak) < limit, (s.zone, s.mae_pct_peak)
        assert np.mean(s.coverage) >= 85.0, (s.zone, s.coverage)
    assert np.nanmax(np.nanmean(flows, axis=0)) < 3.0


def test_crowd_evaluate_command_prints_the_error_table(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = tmp_path / "corridor.txt"
    write_corridor(path, people=40, unit_cm=False)
    venue_file = tmp_path / "corridor.yaml"
    venue_file.write_text(corridor_venue().model_dump_json(), encoding="utf-8")
    rc = main(
        [
            "crowd",
            "evaluate",
            str(path),
            "--venue",
            str(venue_file),
            "--seeds",
            "2",
            "--miss",
            "0.04",
        ]
    )
    captured = capsys.readouterr()
    out = captured.out + captured.err
    assert rc == 0
    assert "centre" in out and "camera" in out and "MAE % peak" in out
    assert "flow error g1" in out
    rc = main(["crowd", "evaluate", str(tmp_path / "missing.txt"), "--venue", str(venue_file)])
    assert rc != 0
