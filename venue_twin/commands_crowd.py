"""``venue-twin crowd evaluate``: check a venue's people sensors against a calibration recording."""

from __future__ import annotations

import argparse
from pathlib import Path
from typing import Any

import numpy as np
from rich.console import Console

from twin.analytics.crowd import InvalidInput
from twin.analytics.crowd.trajectories import load_trajectories
from twin.loader import VenueFileError
from venue_twin.crowd_evaluate import (
    SensorErrors,
    counting_noise,
    evaluate,
    layout_advice,
)
from venue_twin.runner import UsageError
from venue_twin.venue_refs import resolve_venue

__all__ = ["add_parsers"]


def add_parsers(sub: Any) -> None:
    crowd = sub.add_parser("crowd", help="crowd estimation tools")
    csub = crowd.add_subparsers(dest="crowd_command", required=True, metavar="ACTION")
    ev = csub.add_parser(
        "evaluate",
        help="score the live crowd estimator on a trajectory recording",
        description=(
            "Compute the truth per zone, gate and step from pedestrian trajectories "
            "(PeTrack/PedPy text: id frame x y [z]), synthesise the venue's gate counters "
            "and cameras from them with the given error rates, run the live estimator and "
            "print its errors: occupancy MAE as % of the zone's peak, density error as % "
            "of the peak density, the share of steps with the truth inside the 95 % band, "
            "the flow error per gate, and what counting alone would give each zone (its "
            "counters' random misses); then, for each zone over its accuracy target, "
            "whether a camera or people tracker is what would help. The venue's zone "
            "floors must be in the "
            "trajectories' coordinates."
        ),
        epilog=(
            "example: venue-twin crowd evaluate corridor.txt --venue corridor.yaml "
            "--unit cm --miss 0.04 --seeds 20"
        ),
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    ev.add_argument("trajectories", type=Path, help="trajectory file (id frame x y [z])")
    ev.add_argument("--venue", required=True, help="venue file or sample:NAME")
    ev.add_argument("--unit", choices=["m", "cm", "mm"], default="m", help="unit of x and y")
    ev.add_argument("--fps", type=float, help="frame rate (default: the file's '# framerate:')")
    ev.add_argument("--step", type=float, default=1.0, help="estimator step in seconds")
    ev.add_argument("--miss", type=float, default=0.04, help="share of crossings counters miss")
    ev.add_argument(
        "--miss-max", type=float, help="draw each counter's miss rate in [--miss, --miss-max]"
    )
    ev.add_argument("--double", type=float, default=0.0, help="share counted twice")
    ev.add_argument("--camera-sd", type=float, default=0.03, help="camera relative noise")
    ev.add_argument("--dropout", type=float, default=0.02, help="tracker dropout share")
    ev.add_argument(
        "--occlusion", type=float, default=0.03, help="camera under-count per p/m^2 of density"
    )
    ev.add_argument("--seeds", type=int, default=10, help="runs with different sensor errors")
    ev.set_defaults(handler=_evaluate)


def _evaluate(args: argparse.Namespace, console: Console) -> int:
    try:
        venue = resolve_venue(args.venue)
        traj = load_trajectories(args.trajectories, args.unit, args.fps)
        errors = SensorErrors(
            (args.miss, args.miss if args.miss_max is None else args.miss_max),
            args.double,
            args.camera_sd,
            args.dropout,
            args.occlusion,
        )
        if not (0 <= errors.miss_range[0] <= errors.miss_range[1] < 1 and args.seeds >= 1):
            raise InvalidInput("need 0 <= --miss <= --miss-max < 1 and --seeds >= 1")
        truth, scores, flows = evaluate(venue, traj, errors, step_s=args.step, seeds=args.seeds)
    except (VenueFileError, InvalidInput) as exc:
        raise UsageError(str(exc)) from exc
    console.print(
        f"{venue.name}: {len(truth.ts)} steps of {args.step:g} s, {args.seeds} runs; "
        f"counters miss {args.miss:.0%}"
        + (f"-{args.miss_max:.0%}" if args.miss_max is not None else "")
        + f"; crossings no gate counts: {truth.uncounted}"
    )
    noise = counting_noise(venue, truth, errors)
    console.print(
        f"{'zone':18s} {'sensed by':>9s} {'peak':>5s} {'MAE % peak':>10s} "
        f"{'dens err %pk':>13s} {'95% band':>8s} {'counting alone %pk':>18s}"
    )
    for s in scores.values():
        if not s.mae_pct_peak:
            console.print(f"{s.zone:18s} {'':>9s} {0:5d} {'(nobody)':>10s}")
            continue
        console.print(
            f"{s.zone:18s} {'camera' if s.observed else 'counters':>9s} {s.peak:5.0f} "
            f"{np.mean(s.mae_pct_peak):10.1f} {np.mean(s.density_err_pct):13.1f} "
            f"{np.mean(s.coverage):7.1f}% {100.0 * noise[s.zone] / s.peak:18.1f}"
        )
    for line in layout_advice(venue, scores, noise):
        console.print(line)
    mean = np.nanmean(flows, axis=0) if np.isfinite(flows).any() else flows[0]
    for gate, err in zip([g.id for g in venue.gates], mean, strict=True):
        shown = "no crossings" if not np.isfinite(err) else f"{err:.1f} %"
        console.print(f"flow error {gate}: {shown}")
    return 0
