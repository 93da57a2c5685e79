"""GLB export: names and Y-up mapping survive a round trip, LODs, cache and ETags."""

from __future__ import annotations

import io
import os
from pathlib import Path

import numpy as np
import pytest
import trimesh

from twin.geometry import export
from twin.geometry.export import (
    LOD_FRACTIONS,
    SIMPLIFY_ABOVE_FACES,
    ExportError,
    GlbCache,
    build_glb,
    venue_glb,
    venue_to_gltf,
)
from twin.loader import load_sample
from twin.venue import Venue


def _load(data: bytes) -> trimesh.Scene:
    scene = trimesh.load(io.BytesIO(data), file_type="glb")
    assert isinstance(scene, trimesh.Scene)
    return scene


def _sphere_venue(tmp_path: Path, subdivisions: int = 5) -> Venue:
    sphere = trimesh.creation.icosphere(subdivisions=subdivisions, radius=5.0)
    sphere.apply_translation((10.0, 10.0, 5.0))
    (tmp_path / "dome.ply").write_bytes(sphere.export(file_type="ply"))
    return Venue.model_validate(
        {
            "id": "dome",
            "name": "dome",
            "mesh": {"file": "dome.ply"},
            "zones": [{"id": "z", "name": "z", "floor": [[5, 5], [15, 5], [15, 15], [5, 15]]}],
            "source": tmp_path / "venue.yaml",
        }
    )


def test_glb_round_trip_keeps_zone_names_and_maps_to_y_up() -> None:
    venue = load_sample("museum-wing")
    scene = _load(venue_glb(venue))
    assert set(scene.geometry) == {f"{k}:{z.id}" for z in venue.zones for k in ("zone", "walls")}
    # Venue extents x 0..54, y 0..18, z -0.1..5 become glTF x 0..54, y -0.1..5, z -18..0.
    assert np.allclose(scene.bounds, [[0.0, -0.1, -18.0], [54.0, 5.0, 0.0]])


def test_sensor_mapping_matches_the_mesh() -> None:
    venue = load_sample("museum-wing")
    scene = _load(venue_glb(venue))
    floor = scene.geometry["zone:gallery-c"]
    # The floor's far corner (54, 18, 0) must sit where a marker at that point is drawn.
    marker = venue_to_gltf([(54.0, 18.0, 0.0)])[0]
    assert np.isclose(np.linalg.norm(floor.vertices - marker, axis=1), 0).any()
    assert venue_to_gltf([(1.0, 2.0, 3.0)]).tolist() == [[1.0, 3.0, -2.0]]


def test_procedural_mesh_is_not_decimated() -> None:
    venue = load_sample("museum-wing")
    counts = {build_glb(venue, lod).triangles for lod in range(len(LOD_FRACTIONS))}
    assert len(counts) == 1


def test_large_imported_mesh_gets_coarser_per_lod(tmp_path: Path) -> None:
    venue = _sphere_venue(tmp_path)
    full = build_glb(venue, 0)
    half = build_glb(venue, 1)
    coarse = build_glb(venue, 3)
    scene = _load(full.data)
    assert set(scene.geometry) == {"mesh", "zone:z"}
    sphere_faces = len(scene.geometry["mesh"].faces)
    assert sphere_faces == 20480
    assert full.triangles > half.triangles > coarse.triangles
    half_faces = len(_load(half.data).geometry["mesh"].faces)
    assert half_faces == pytest.approx(sphere_faces * LOD_FRACTIONS[1], rel=0.05)
    coarse_faces = len(_load(coarse.data).geometry["mesh"].faces)
    assert SIMPLIFY_ABOVE_FACES * 0.9 <= coarse_faces <= SIMPLIFY_ABOVE_FACES * 1.1
    # Decimation keeps the shape: the dome's bounds barely move.
    assert np.allclose(_load(coarse.data).bounds, scene.bounds, atol=0.2)


def test_the_default_level_of_detail_is_the_finest_within_the_triangle_budget(
    tmp_path: Path,
) -> None:
    cache = GlbCache()
    assert cache.auto_lod(load_sample("museum-wing")) == 0  # small: full detail
    dome = _sphere_venue(tmp_path)  # 20,480 triangles and a two-triangle floor
    assert cache.auto_lod(dome) == 0
    for budget, expected in [(25_000, 0), (15_000, 1), (6_000, 2), (1_000, 3)]:
        lod = cache.auto_lod(dome, budget=budget)
        assert lod == expected, budget
        if budget > 1_000:  # the coarsest level is served even when nothing fits
            assert cache.get(dome, lod).triangles <= budget


def test_unknown_lod_and_missing_mesh_are_export_errors(tmp_path: Path) -> None:
    venue = load_sample("museum-wing")
    with pytest.raises(ExportError, match="level of detail"):
        build_glb(venue, len(LOD_FRACTIONS))
    dome = _sphere_venue(tmp_path, subdivisions=1)
    (tmp_path / "dome.ply").unlink()
    with pytest.raises(ExportError, match="not found"):
        build_glb(dome)


def test_etag_is_stable_and_follows_content() -> None:
    museum = load_sample("museum-wing")
    a, b = build_glb(museum), build_glb(museum)
    assert a.etag == b.etag
    assert a.etag.startswith('"') and a.etag.endswith('"')
    assert build_glb(load_sample("scenic-site")).etag != a.etag


def test_cache_hits_and_notices_a_changed_mesh_file(tmp_path: Path) -> None:
    venue = _sphere_venue(tmp_path, subdivisions=2)
    cache = GlbCache()
    first = cache.get(venue, 0)
    assert cache.get(venue, 0) is first
    assert (cache.hits, cache.misses) == (1, 1)
    bigger = trimesh.creation.icosphere(subdivisions=2, radius=8.0)
    (tmp_path / "dome.ply").write_bytes(bigger.export(file_type="ply"))
    st = (tmp_path / "dome.ply").stat()
    os.utime(tmp_path / "dome.ply", ns=(st.st_atime_ns, st.st_mtime_ns + 10**9))
    second = cache.get(venue, 0)
    assert second.etag != first.etag
    assert cache.misses == 2


def test_cache_is_bounded_and_evicts_least_recently_used() -> None:
    museum, site = load_sample("museum-wing"), load_sample("scenic-site")
    cache = GlbCache(max_entries=2)
    m0 = cache.get(museum, 0)
    cache.get(site, 0)
    cache.get(museum, 0)  # museum is now the most recent
    cache.get(site, 1)  # evicts site lod 0
    assert len(cache) == 2
    assert cache.get(museum, 0) is m0
    misses = cache.misses
    cache.get(site, 0)
    assert cache.misses == misses + 1
    assert cache.size_bytes == sum(len(a.data) for a in (cache.get(site, 0), cache.get(museum, 0)))


def test_cache_byte_bound() -> None:
    museum = load_sample("museum-wing")
    size = len(build_glb(museum).data)
    cache = GlbCache(max_entries=10, max_bytes=size + 1)
    cache.get(museum, 0)
    cache.get(museum, 1)
    assert len(cache) == 1
    assert cache.size_bytes <= size + 1


def test_cache_imports_a_mesh_file_once_for_all_lods(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    venue = _sphere_venue(tmp_path, subdivisions=2)
    calls: list[str] = []
    real = export.source_scene

    def counting(v: Venue) -> trimesh.Scene:
        calls.append(v.id)
        return real(v)

    monkeypatch.setattr(export, "source_scene", counting)
    cache = GlbCache()
    assets = [cache.get(venue, lod) for lod in range(len(LOD_FRACTIONS))]
    assert calls == ["dome"]
    assert assets[0].data == build_glb(venue, 0).data
