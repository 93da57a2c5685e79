"""Importing mesh files: each format, frame conversion, repairs and clear errors."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
import trimesh

from twin.geometry.mesh_import import MeshImportError, import_mesh, import_venue_mesh
from twin.venue import Venue

BOX_EXTENTS = (4.0, 2.0, 3.0)


def _box() -> trimesh.Trimesh:
    box: trimesh.Trimesh = trimesh.creation.box(extents=BOX_EXTENTS)
    box.apply_translation(np.array(BOX_EXTENTS) / 2)  # corner at the origin
    return box


def _write(mesh: trimesh.Trimesh | trimesh.Scene, path: Path) -> Path:
    data = mesh.export(file_type=path.suffix[1:])
    if isinstance(data, dict):  # .gltf: the JSON plus its buffers
        for name, blob in data.items():
            (path.parent / name).write_bytes(blob)
        (path.parent / "model.gltf").rename(path)
    elif isinstance(data, str):
        path.write_text(data)
    else:
        path.write_bytes(data)
    return path


@pytest.mark.parametrize("suffix", [".glb", ".gltf", ".obj", ".ply", ".stl"])
def test_each_format_reads_back_the_same_box(tmp_path: Path, suffix: str) -> None:
    path = _write(_box(), tmp_path / f"venue{suffix}")
    imported = import_mesh(path)
    mesh = imported.mesh
    assert np.allclose(mesh.bounds, [(0.0, 0.0, 0.0), BOX_EXTENTS])
    assert len(mesh.faces) == 12
    assert len(mesh.vertices) == 8, "STL's unshared vertices must be merged"
    assert mesh.is_watertight
    assert mesh.volume == pytest.approx(24.0)


def test_scene_nodes_are_flattened_with_their_transforms(tmp_path: Path) -> None:
    scene = trimesh.Scene()
    scene.add_geometry(_box(), node_name="a")
    moved = np.eye(4)
    moved[0, 3] = 10.0
    scene.add_geometry(_box(), node_name="b", transform=moved)
    mesh = import_mesh(_write(scene, tmp_path / "two.glb")).mesh
    assert np.allclose(mesh.bounds, [[0.0, 0.0, 0.0], [14.0, 2.0, 3.0]])
    assert len(mesh.faces) == 24


def test_units_scale_and_y_up_convert_to_the_twin_frame(tmp_path: Path) -> None:
    # A Y-up file in millimetres: 4 m wide (x), 3 m tall (y), 2 m deep (z).
    box = trimesh.creation.box(extents=(4000.0, 3000.0, 2000.0))
    box.apply_translation((2000.0, 1500.0, -1000.0))
    path = _write(box, tmp_path / "yup.obj")
    mesh = import_mesh(path, units="mm", up_axis="y", scale=2.0).mesh
    # Twin (x, y, z) = (x, -z, y): 8 m by 4 m, 6 m tall, standing on z = 0.
    assert np.allclose(mesh.bounds, [[0, 0, 0], [8, 4, 6]])


def test_degenerate_and_duplicate_faces_are_removed(tmp_path: Path) -> None:
    box = _box()
    faces = np.vstack([box.faces, box.faces[:2], [[0, 0, 1]], [[0, 1, 1]]])
    broken = trimesh.Trimesh(box.vertices, faces, process=False)
    imported = import_mesh(_write(broken, tmp_path / "broken.ply"))
    assert len(imported.mesh.faces) == 12
    assert imported.removed_faces == 4


def test_inconsistent_winding_is_fixed(tmp_path: Path) -> None:
    box = _box()
    faces = box.faces.copy()
    faces[:3] = faces[:3, ::-1]
    flipped = trimesh.Trimesh(box.vertices, faces, process=False)
    mesh = import_mesh(_write(flipped, tmp_path / "flipped.ply")).mesh
    assert mesh.is_winding_consistent
    assert mesh.volume == pytest.approx(24.0)


def test_open_mesh_with_mixed_winding_gets_one_winding(tmp_path: Path) -> None:
    # A 3 x 3 grid of quads (an open floor plate) with every other triangle flipped.
    xs, ys = np.meshgrid(np.arange(4.0), np.arange(4.0))
    verts = np.column_stack([xs.ravel(), ys.ravel(), np.zeros(16)])
    faces = []
    for r in range(3):
        for c in range(3):
            i = r * 4 + c
            faces += [[i, i + 1, i + 5], [i, i + 5, i + 4]]
    tris = np.array(faces)
    tris[::2] = tris[::2, ::-1]
    plate = trimesh.Trimesh(verts, tris, process=False)
    mesh = import_mesh(_write(plate, tmp_path / "plate.obj")).mesh
    assert mesh.is_winding_consistent
    assert len(mesh.faces) == 18
    normals_z = mesh.face_normals[:, 2]
    assert (np.abs(normals_z) > 0.99).all()
    assert (normals_z > 0).all() or (normals_z < 0).all()


def test_inside_out_closed_mesh_is_turned_outward(tmp_path: Path) -> None:
    box = _box()
    inside_out = trimesh.Trimesh(box.vertices, box.faces[:, ::-1], process=False)
    assert inside_out.volume < 0
    mesh = import_mesh(_write(inside_out, tmp_path / "inverted.stl")).mesh
    assert mesh.volume == pytest.approx(24.0)


def test_text_file_is_not_a_mesh(tmp_path: Path) -> None:
    path = tmp_path / "notes.stl"
    path.write_text("these are meeting notes, not a mesh\n" * 5)
    with pytest.raises(MeshImportError, match=r"notes\.stl"):
        import_mesh(path)


def test_point_cloud_is_not_a_mesh(tmp_path: Path) -> None:
    points = np.random.default_rng(1).uniform(size=(50, 3))
    cloud = trimesh.PointCloud(points)  # type: ignore[no-untyped-call]
    path = tmp_path / "scan.ply"
    path.write_bytes(cloud.export(file_type="ply"))  # type: ignore[no-untyped-call]
    with pytest.raises(MeshImportError, match="point cloud"):
        import_mesh(path)


def test_empty_scene_is_not_a_mesh(tmp_path: Path) -> None:
    # trimesh refuses to write an empty scene, so write the glTF by hand.
    path = tmp_path / "empty.gltf"
    path.write_text('{"asset": {"version": "2.0"}, "scene": 0, "scenes": [{"nodes": []}]}')
    with pytest.raises(MeshImportError, match="empty"):
        import_mesh(path)


def test_unsupported_and_missing_files(tmp_path: Path) -> None:
    with pytest.raises(MeshImportError, match="unsupported mesh format"):
        import_mesh(tmp_path / "plan.dwg")
    with pytest.raises(MeshImportError, match="not found"):
        import_mesh(tmp_path / "absent.glb")
    with pytest.raises(MeshImportError, match="unknown length unit"):
        import_mesh(_write(_box(), tmp_path / "b.stl"), units="yard")


def test_venue_mesh_path_is_relative_to_the_venue_file(tmp_path: Path) -> None:
    _write(_box(), tmp_path / "hall.stl")
    venue = Venue.model_validate(
        {
            "id": "hall",
            "name": "hall",
            "frame": {"units": "cm"},
            "mesh": {"file": "hall.stl", "scale": 100.0},
            "zones": [{"id": "z", "name": "z", "floor": [[0, 0], [4, 0], [4, 2], [0, 2]]}],
            "source": tmp_path / "venue.yaml",
        }
    )
    mesh = import_venue_mesh(venue).mesh
    assert np.allclose(mesh.bounds, [(0.0, 0.0, 0.0), BOX_EXTENTS])
