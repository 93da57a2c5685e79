"""Load-time and memory figures for the venue twin's geometry pipeline.

Measures, for a large synthetic venue: model validation (from YAML text and
from a dict), procedural mesh generation, placement checks and GLB export at
every level of detail; then, for an imported mesh of about 1.3 million
triangles (an icosphere written as binary PLY): import with repair, and GLB
export at every level of detail.

Peak memory is traced with tracemalloc, which sees Python and numpy
allocations but not memory allocated inside C++ extensions
(fast-simplification, rtree), so the import and decimation rows are lower
bounds. Times are the best of ``--repeat`` runs for the light steps and one
run for the heavy ones.

    python bench/twin_load.py [--zones 40] [--sensors-per-zone 10] [--subdivisions 8]
"""

from __future__ import annotations

import argparse
import tempfile
import time
import tracemalloc
from collections.abc import Callable
from pathlib import Path
from typing import TypeVar

import trimesh
import yaml

from twin.geometry.checks import check_venue
from twin.geometry.export import LOD_FRACTIONS, build_glb, source_scene
from twin.geometry.mesh_import import import_mesh
from twin.geometry.meshgen import procedural_mesh, venue_scene
from twin.loader import parse_venue
from twin.samples.large_venue import large_venue
from twin.venue import Venue

T = TypeVar("T")


def measure(fn: Callable[[], T], repeat: int) -> tuple[T, float, float]:
    """(result, best seconds, peak MiB traced during one run)."""
    best = float("inf")
    result: T | None = None
    for _ in range(repeat):
        t0 = time.perf_counter()
        result = fn()
        best = min(best, time.perf_counter() - t0)
    tracemalloc.start()
    tracemalloc.reset_peak()
    fn()
    _, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    assert result is not None
    return result, best, peak / 2**20


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--zones", type=int, default=40)
    parser.add_argument("--sensors-per-zone", type=int, default=10)
    parser.add_argument("--subdivisions", type=int, default=8)
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()
    rows: list[tuple[str, float, float, str]] = []

    venue = large_venue(args.zones, args.sensors_per_zone)
    doc = venue.model_dump(mode="json")
    text = yaml.safe_dump(doc, sort_keys=False)
    size = f"{len(venue.zones)} zones, {len(venue.sensors)} sensors, {len(venue.gates)} gates"

    _, t, m = measure(lambda: parse_venue(text, source="bench"), args.repeat)
    rows.append(("validate venue from YAML", t, m, f"{size}, {len(text) // 1024} KiB"))
    _, t, m = measure(lambda: Venue.model_validate(doc), args.repeat)
    rows.append(("validate venue from dict", t, m, size))
    scene, t, m = measure(lambda: venue_scene(venue), args.repeat)
    faces = sum(len(g.faces) for g in scene.geometry.values())
    rows.append(("procedural mesh", t, m, f"{len(scene.geometry)} geometries, {faces} triangles"))
    mesh = procedural_mesh(venue)
    findings, t, m = measure(lambda: check_venue(venue, mesh), args.repeat)
    rows.append(("placement checks + snap", t, m, f"{len(findings)} findings"))
    for lod in range(len(LOD_FRACTIONS)):
        asset, t, m = measure(lambda lod=lod: build_glb(venue, lod), args.repeat)  # type: ignore[misc]
        rows.append((f"GLB export, LOD {lod}", t, m, f"{len(asset.data) / 1024:.0f} KiB GLB"))

    with tempfile.TemporaryDirectory() as tmp:
        sphere = trimesh.creation.icosphere(subdivisions=args.subdivisions, radius=50.0)
        path = Path(tmp) / "big.ply"
        path.write_bytes(sphere.export(file_type="ply"))
        big = Venue.model_validate(
            {
                "id": "big-mesh",
                "name": "big mesh",
                "mesh": {"file": path.name},
                "zones": [{"id": "z", "name": "z", "floor": [[-50, -50], [50, -50], [50, 50]]}],
                "source": Path(tmp) / "venue.yaml",
            }
        )
        n = len(sphere.faces)
        del sphere
        _, t, m = measure(lambda: import_mesh(path), 1)
        ply_mib = path.stat().st_size / 2**20
        rows.append(("import + repair mesh", t, m, f"{n} triangles, {ply_mib:.1f} MiB PLY"))
        # What GlbCache does: import once, then build each level from that scene.
        source, t, m = measure(lambda: source_scene(big), 1)
        rows.append(("source scene (import + zones)", t, m, "kept by GlbCache"))
        for lod in range(len(LOD_FRACTIONS)):
            asset, t, m = measure(lambda lod=lod: build_glb(big, lod, source=source), 1)  # type: ignore[misc]
            rows.append(
                (
                    f"big mesh GLB export, LOD {lod}",
                    t,
                    m,
                    f"{asset.triangles} triangles, {len(asset.data) / 2**20:.1f} MiB GLB",
                )
            )

    print(f"{'step':<32} {'seconds':>9} {'peak MiB':>9}  notes")
    for name, secs, mib, note in rows:
        print(f"{name:<32} {secs:>9.3f} {mib:>9.1f}  {note}")


if __name__ == "__main__":
    main()
