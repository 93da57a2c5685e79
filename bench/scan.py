"""Scan registration time and memory: a 200k-point scan against a 100k-triangle mesh.

The reference is a carved relief (1.0 x 0.7 m, ~100k triangles); the scan
samples it with a 3 mm pit pressed in, adds 0.5 mm noise and is moved by a
known rigid transform, so the table also shows the accuracy reached. Each
voxel size runs in a fresh process so its peak resident memory is its own:
"peak RSS" is the whole process (Python, numpy, open3d), "added" is the
peak minus the resident size just before registration started.

    python bench/scan.py [--points 200000] [--cells 267] [--voxels 0.01,0.02,0.03]
"""

from __future__ import annotations

import argparse
import json
import resource
import subprocess
import sys
import time
from pathlib import Path

import numpy as np

if __package__ in (None, ""):
    sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from twin.scans import RegistrationParams, apply_transform, register_scan, summarise
from twin.scans.change import surface_change
from twin.scans.synthetic import pit, relief_mesh, rigid_transform, simulated_scan


def _rss_mib() -> float:
    with open("/proc/self/statm", encoding="ascii") as f:
        pages = int(f.read().split()[1])
    return pages * resource.getpagesize() / 2**20


def one(points: int, cells: int, voxel: float) -> dict[str, float]:
    """Run one registration and change map; figures for one table row."""
    reference = relief_mesh(cells=cells)
    pitted, _ = pit(reference, (0.40, 0.45), 0.08, 0.003)
    scanner = rigid_transform(25.0, [0.3, -0.2, 1.0], [0.4, -0.25, 0.15])
    scan = simulated_scan(pitted, points, transform=scanner, noise_m=0.0005, seed=3)
    before = _rss_mib()
    t0 = time.perf_counter()
    fit = register_scan(scan, reference, RegistrationParams(voxel_m=voxel))
    t_reg = time.perf_counter() - t0
    t0 = time.perf_counter()
    change = surface_change(reference, apply_transform(scan, fit.transform))
    summary = summarise(change, 1.0)
    t_change = time.perf_counter() - t0
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024.0
    error = fit.transform @ scanner
    angle = np.degrees(np.arccos(np.clip((np.trace(error[:3, :3]) - 1.0) / 2.0, -1.0, 1.0)))
    return {
        "voxel_mm": voxel * 1000,
        "triangles": float(len(reference.faces)),
        "points": float(points),
        "used": float(fit.scan_points_used),
        "prepare_s": fit.seconds["prepare"],
        "global_s": fit.seconds["global"],
        "icp_s": fit.seconds["icp"],
        "register_s": t_reg,
        "change_s": t_change,
        "peak_mib": peak,
        "added_mib": peak - before,
        "fitness": fit.fitness,
        "rmse_mm": fit.inlier_rmse_m * 1000,
        "rot_err_deg": float(angle),
        "shift_err_mm": float(np.linalg.norm(error[:3, 3]) * 1000),
        "max_loss_mm": summary.max_loss_mm,
    }


COLUMNS = [
    ("voxel_mm", "voxel mm", "{:.0f}"),
    ("used", "pts used", "{:.0f}"),
    ("prepare_s", "prep s", "{:.2f}"),
    ("global_s", "RANSAC s", "{:.2f}"),
    ("icp_s", "ICP s", "{:.2f}"),
    ("register_s", "register s", "{:.2f}"),
    ("change_s", "change s", "{:.2f}"),
    ("peak_mib", "peak RSS MiB", "{:.0f}"),
    ("added_mib", "added MiB", "{:.0f}"),
    ("fitness", "fitness", "{:.3f}"),
    ("rmse_mm", "RMSE mm", "{:.2f}"),
    ("rot_err_deg", "rot err deg", "{:.4f}"),
    ("shift_err_mm", "shift err mm", "{:.3f}"),
    ("max_loss_mm", "max loss mm", "{:.2f}"),
]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--points", type=int, default=200_000)
    parser.add_argument("--cells", type=int, default=267, help="267 gives ~100k triangles")
    parser.add_argument("--voxels", default="0.01,0.02,0.03", help="metres, comma-separated")
    parser.add_argument("--one", type=float, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.one is not None:
        print(json.dumps(one(args.points, args.cells, args.one)))
        return
    rows = []
    for voxel in (float(v) for v in args.voxels.split(",")):
        cmd = [sys.executable, __file__, "--points", str(args.points), "--cells", str(args.cells)]
        done = subprocess.run([*cmd, "--one", str(voxel)], capture_output=True, text=True)
        if done.returncode != 0:
            last = (done.stderr.strip().splitlines() or ["no output"])[-1]
            print(f"voxel {voxel * 1000:.0f} mm failed: {last}")
            continue
        rows.append(json.loads(done.stdout.strip().splitlines()[-1]))
    if not rows:
        return
    first = rows[0]
    print(
        f"scan {first['points']:.0f} points (0.5 mm noise, 3 mm pit) against "
        f"{first['triangles']:.0f} triangles; 2 cores"
    )
    widths = [max(len(h), 8) for _, h, _ in COLUMNS]
    print("  ".join(h.rjust(w) for (_, h, _), w in zip(COLUMNS, widths, strict=True)))
    for row in rows:
        cells = [
            fmt.format(row[k]).rjust(w) for (k, _, fmt), w in zip(COLUMNS, widths, strict=True)
        ]
        print("  ".join(cells))


if __name__ == "__main__":
    main()
