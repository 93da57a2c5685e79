"""IFC import: time and peak memory per file, and where the time goes.

Each run imports in a fresh subprocess (so the peak resident set size of
that process is the import's own, libraries included) and prints wall time,
peak RSS, the importer's phase timings and what came out (spaces, zones,
doors joining two spaces, gates by kind, storeys, area differences beyond
2 % by reason). Files default to the shared evaluation models.

    python bench/ifc_import.py [FILE.ifc ...] [--repeat 2] [--threads N]

Figures are noisy on a shared machine: the load average is printed with them.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
# ../shared/data from the repository root (one more level up from a worktree).
DATA = next(
    (p / "shared" / "data" / "ifc" for p in REPO.parents if (p / "shared" / "data").is_dir()),
    REPO.parent / "shared" / "data" / "ifc",
)
DEFAULT_FILES = [DATA / "duplex.ifc", DATA / "AC20-FZK-Haus.ifc"]

_CHILD = r"""
import json, resource, sys, time
from collections import Counter
t0 = time.perf_counter()
from twin.bim.importer import import_ifc
from twin.bim.spaces import AREA_TOLERANCE
t1 = time.perf_counter()
c1 = time.process_time()
r = import_ifc(sys.argv[1], sys.argv[2], suggest=True, threads=int(sys.argv[3]) or None)
t2 = time.perf_counter()
c2 = time.process_time()
v = r.venue
reasons = Counter(
    (s.area_reason or "").split(":")[0]
    for s in r.spaces
    if s.area_difference is not None and abs(s.area_difference) > AREA_TOLERANCE
)
print(json.dumps({
    "schema": r.schema,
    "import_s": t2 - t1,
    "cpu_s": c2 - c1,
    "library_load_s": t1 - t0,
    "peak_rss_mib": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024,
    "phases": r.seconds,
    "spaces": len(r.spaces) + sum(1 for f in v.findings if f.kind.startswith("space_without")),
    "zones": len(v.zones),
    "doors": len(r.doors),
    "doors_two_spaces": sum(1 for d in r.doors if None not in d.zones),
    "gates": dict(Counter(
        g.kind.value + ("/entrance" if None in (g.from_zone, g.to_zone) else "")
        for g in v.gates
    )),
    "storeys": [f"{s.name} ({s.elevation:.2f} m, {len(s.zones)} zones)" for s in v.storeys],
    "with_ifc_area": sum(1 for s in r.spaces if s.stated is not None),
    "area_differences": dict(reasons),
    "findings": dict(Counter(f.kind for f in v.findings)),
    "triangles": len(r.mesh.faces),
}))
"""


def _run(path: Path, threads: int) -> dict[str, object]:
    with tempfile.TemporaryDirectory() as tmp:
        out = subprocess.run(
            [sys.executable, "-c", _CHILD, str(path), str(Path(tmp) / "m.glb"), str(threads)],
            capture_output=True,
            text=True,
            check=False,
            env={**os.environ, "PYTHONPATH": str(REPO)},
        )
    if out.returncode != 0:
        raise SystemExit(f"{path.name}: import failed:\n{out.stderr[-2000:]}")
    result: dict[str, object] = json.loads(out.stdout.strip().splitlines()[-1])
    return result


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawTextHelpFormatter)
    p.add_argument("files", nargs="*", type=Path, default=DEFAULT_FILES)
    p.add_argument("--repeat", type=int, default=2)
    p.add_argument("--threads", type=int, default=0, help="tessellation threads (0: default)")
    args = p.parse_args(argv)
    print(f"cpus {os.cpu_count()}, load average {os.getloadavg()}", flush=True)
    for path in args.files:
        runs = [_run(path, args.threads) for _ in range(args.repeat)]
        best = min(runs, key=lambda r: float(r["import_s"]))  # type: ignore[arg-type]
        size = path.stat().st_size / 2**20
        times = ", ".join(f"{float(r['import_s']):.2f}" for r in runs)  # type: ignore[arg-type]
        cpu = ", ".join(f"{float(r['cpu_s']):.2f}" for r in runs)  # type: ignore[arg-type]
        print(
            f"\n{path.name} ({size:.1f} MiB, {best['schema']}): "
            f"import {times} s wall, {cpu} s CPU (all threads); "
            f"peak RSS {max(float(r['peak_rss_mib']) for r in runs):.0f} MiB; "  # type: ignore[arg-type]
            f"libraries load {float(best['library_load_s']):.2f} s"
        )  # type: ignore[arg-type]
        phases = best["phases"]
        assert isinstance(phases, dict)
        total = sum(phases.values())
        for name, sec in phases.items():
            print(f"  {name:<36} {sec:6.2f} s  {sec / total:5.1%}")
        for key in (
            "spaces",
            "zones",
            "doors",
            "doors_two_spaces",
            "gates",
            "storeys",
            "with_ifc_area",
            "area_differences",
            "findings",
            "triangles",
        ):
            print(f"  {key}: {best[key]}")
        print(f"  load average now {os.getloadavg()}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
