"""Cost of `venue-twin anomaly score` on 100,000 rows, and its output against another checkout.

    python bench/score_cli.py                      # this checkout, 3 runs
    python bench/score_cli.py --base /tmp/main     # alternate with another checkout's code
    python bench/score_cli.py --base /tmp/main --compare   # outputs byte for byte

The input is a noisy daily cycle read every 10 s (ISO timestamps, values to
3 decimals), written once with a fixed seed. Each run is a fresh process
(``python -m venue_twin.cli``, start-up included); wall and CPU (user + sys
of the child, which load disturbs less than wall) are printed per run.
``--compare`` scores the 100,000-row file and every NAB series under
``--nab`` with both checkouts and reports any output that differs.
"""

from __future__ import annotations

import argparse
import filecmp
import math
import os
import random
import resource
import subprocess
import sys
import tempfile
import time
from datetime import datetime, timedelta
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
NAB = REPO.parent.parent / "shared" / "data" / "nab"


def write_input(path: Path, rows: int = 100_000) -> None:
    rng = random.Random(0)
    start = datetime(2024, 1, 1)
    lines = ["timestamp,value"]
    for i in range(rows):
        value = 20 + 2 * math.sin(2 * math.pi * i * 10 / 86400) + rng.gauss(0, 0.1)
        lines.append(f"{start + timedelta(seconds=10 * i):%Y-%m-%d %H:%M:%S},{value:.3f}")
    path.write_text("\n".join(lines) + "\n")


def run(repo: Path, src: Path, out: Path) -> tuple[float, float]:
    """(wall s, CPU s) of one `anomaly score` process with ``repo`` first on the path."""
    env = {**os.environ, "PYTHONPATH": str(repo)}
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    t = time.perf_counter()
    subprocess.run(
        [sys.executable, "-m", "venue_twin.cli", "anomaly", "score", str(src), "--out", str(out)],
        env=env,
        cwd=repo,  # `python -m` puts the working directory first on sys.path
        check=True,
        capture_output=True,
    )
    wall = time.perf_counter() - t
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    cpu = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
    return wall, cpu


def compare(base: Path, src: Path, nab: Path, tmp: Path) -> int:
    files = [src, *sorted(nab.glob("*/*.csv"))]
    differ = 0
    for f in files:
        mine, theirs = tmp / "mine.csv", tmp / "theirs.csv"
        run(REPO, f, mine)
        run(base, f, theirs)
        if not filecmp.cmp(mine, theirs, shallow=False):
            differ += 1
            print(f"DIFFERS: {f}")
    print(f"{len(files) - differ} of {len(files)} outputs byte-identical")
    return 1 if differ else 0


def main() -> int:
    ap = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    ap.add_argument("--base", type=Path, help="another checkout to alternate with")
    ap.add_argument("--runs", type=int, default=3)
    ap.add_argument("--compare", action="store_true", help="outputs byte for byte instead")
    ap.add_argument("--nab", type=Path, default=NAB)
    args = ap.parse_args()
    with tempfile.TemporaryDirectory(prefix="score-cli-") as tmp_s:
        tmp = Path(tmp_s)
        src = tmp / "in.csv"
        write_input(src)
        if args.compare:
            if args.base is None:
                ap.error("--compare needs --base")
            return compare(args.base, src, args.nab, tmp)
        repos = [("this", REPO)] + ([("base", args.base)] if args.base else [])
        for i in range(args.runs):
            for label, repo in repos:
                wall, cpu = run(repo, src, tmp / "out.csv")
                load = os.getloadavg()[0]
                print(
                    f"run {i + 1} {label:4}  wall {wall:5.2f} s  cpu {cpu:5.2f} s  load {load:.2f}"
                )
    return 0


if __name__ == "__main__":
    sys.exit(main())
