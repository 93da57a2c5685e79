"""Import an optional extra in a test: skip only when it is not installed.

``pytest.importorskip`` also skips when the package is installed but cannot
load (a missing system library such as libusb-1.0 for open3d), which hid a
broken ``scan`` extra on fresh machines. Here an installed distribution that
fails to import fails the test run.
"""

from __future__ import annotations

import importlib
import importlib.metadata
from types import ModuleType

import pytest


def installed(distribution: str) -> bool:
    try:
        importlib.metadata.distribution(distribution)
    except importlib.metadata.PackageNotFoundError:
        return False
    return True


def require_extra(module: str, distribution: str, extra: str) -> ModuleType:
    """Return ``module``; skip when ``distribution`` is absent, fail when it is
    installed but does not import."""
    if not installed(distribution):
        pytest.skip(
            f"{distribution} is not installed (pip install 'venue-twin[{extra}]')",
            allow_module_level=True,
        )
    try:
        return importlib.import_module(module)
    except ImportError as exc:
        pytest.fail(
            f"{distribution} is installed but 'import {module}' fails: {exc}. "
            "Install the system libraries the extras need: bash scripts/setup "
            "(see scripts/debian-packages)",
            pytrace=False,
        )
