"""The optional extras load on this machine: every shared library their wheels
link against resolves, and each extra's package imports in a fresh process.

A slim Debian image lacks libusb-1.0, libGL, libEGL and libX11; open3d and
ifcopenshell's OpenCASCADE plugins need them, and scripts/setup installs them
(scripts/debian-packages). An extra that is not installed is skipped; one that
is installed but broken fails here.
"""

from __future__ import annotations

import importlib.metadata
import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from tests.extras import installed

# (extra, distribution, what to import: the library and venue-twin's module using it)
EXTRAS = [
    ("scan", "open3d", "open3d, twin.scans"),
    ("bim", "ifcopenshell", "ifcopenshell.geom, twin.bim.importer"),
    ("bim", "shapely", "shapely"),
]
REPO = Path(__file__).resolve().parents[2]
# open3d ships TensorFlow and PyTorch op plugins that load only inside those
# frameworks (open3d.ml), which venue-twin never imports.
FRAMEWORK_PLUGINS = re.compile(r"open3d_(tf|torch)_ops\.so$")
SHARED_OBJECT = re.compile(r"\.so(\.\d+)*$")


def _shared_objects(distribution: str) -> list[Path]:
    files = importlib.metadata.files(distribution) or []
    return [
        Path(str(f.locate()))
        for f in files
        if SHARED_OBJECT.search(f.name) and not FRAMEWORK_PLUGINS.search(f.name)
    ]


@pytest.mark.parametrize(("extra", "distribution", "module"), EXTRAS)
def test_every_linked_library_of_an_installed_extra_resolves(
    extra: str, distribution: str, module: str
) -> None:
    if not installed(distribution):
        pytest.skip(f"extra {extra!r} ({distribution}) is not installed")
    ldd = shutil.which("ldd")
    if ldd is None:
        pytest.skip("no ldd on this system")
    objects = _shared_objects(distribution)
    assert objects, f"{distribution} lists no shared objects"
    missing: set[str] = set()
    for obj in objects:
        out = subprocess.run([ldd, str(obj)], capture_output=True, text=True, check=False)
        for line in out.stdout.splitlines():
            if "not found" in line:
                missing.add(f"{line.split('=>')[0].strip()} (needed by {obj.name})")
    assert not missing, (
        f"extra {extra!r}: system libraries missing: {sorted(missing)}; "
        "run bash scripts/setup (scripts/debian-packages lists them)"
    )


@pytest.mark.parametrize(("extra", "distribution", "module"), EXTRAS)
def test_an_installed_extra_imports_in_a_fresh_process(
    extra: str, distribution: str, module: str
) -> None:
    if not installed(distribution):
        pytest.skip(f"extra {extra!r} ({distribution}) is not installed")
    run = subprocess.run(
        [sys.executable, "-c", f"import {module}"],
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
        env={**os.environ, "PYTHONPATH": str(REPO)},
        cwd=REPO,
    )
    assert run.returncode == 0, f"import {module} failed: {run.stderr[-800:]}"


def test_the_cli_says_which_system_libraries_a_broken_extra_needs() -> None:
    from venue_twin.extras_hint import extra_import_error

    broken = ImportError("libusb-1.0.so.0: cannot open shared object file")
    text = extra_import_error("scans", "scan", "pytest", broken)  # pytest is installed
    assert "is installed but cannot load" in text and "libusb-1.0-0" in text
    text = extra_import_error("scans", "scan", "no-such-distribution-xyz", broken)
    assert "pip install 'venue-twin[scan]'" in text


def test_the_image_installs_the_same_system_libraries_as_the_setup() -> None:
    listed = re.search(r"EXTRAS_LIBS=\(([^)]*)\)", (REPO / "scripts/debian-packages").read_text())
    assert listed is not None
    packages = listed[1].split()
    assert "libusb-1.0-0" in packages  # open3d's libOpen3D.so links it
    dockerfile = (REPO / "Dockerfile").read_text()
    missing = [p for p in packages if p not in dockerfile]
    assert not missing, f"the Dockerfile does not install {missing} (scripts/debian-packages)"
