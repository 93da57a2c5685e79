"""The package boundaries of DESIGN.md, checked on the import statements.

ingest owns the wire and the readings store and knows nothing above it; twin
owns the model and never reaches into the viewer or the composition root;
simulators speak the ingest contract and read venue files, like a device
vendor's tool would. A violation names the file and the import.
"""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
PACKAGES = ("ingest", "twin", "viewer", "simulators", "venue_twin", "notify", "reports")

# package -> first-party packages (or modules) it may import, besides itself
ALLOWED: dict[str, tuple[str, ...]] = {
    "ingest": (),
    "twin": ("ingest",),
    "viewer": ("ingest", "twin", "reports"),
    # The venue model and its loader are pure data: a simulator needs them to
    # simulate any venue file. Nothing else of the twin.
    "simulators": ("ingest", "twin.venue", "twin.loader"),
    # Notifications are an output adapter like the viewer: alarm events in, no model.
    "notify": ("ingest", "twin"),
    # Reports too: the store's history and the twin's calculators in, documents out.
    "reports": ("ingest", "twin"),
    "venue_twin": ("ingest", "twin", "viewer", "simulators", "notify", "reports"),
}


def _imports(path: Path) -> list[tuple[int, str]]:
    found: list[tuple[int, str]] = []
    for node in ast.walk(ast.parse(path.read_text(), str(path))):
        if isinstance(node, ast.Import):
            found += [(node.lineno, a.name) for a in node.names]
        elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
            found.append((node.lineno, node.module))
    return found


def _allowed(module: str, own: str) -> bool:
    top = module.split(".")[0]
    if top not in PACKAGES or top == own:
        return True
    return any(module == a or module.startswith(a + ".") for a in ALLOWED[own])


@pytest.mark.parametrize("package", PACKAGES)
def test_each_package_imports_only_what_its_boundary_allows(package: str) -> None:
    violations = [
        f"{path.relative_to(ROOT)}:{line} imports {module}"
        for path in sorted((ROOT / package).rglob("*.py"))
        for line, module in _imports(path)
        if not _allowed(module, package)
    ]
    assert not violations, "\n".join(violations)


def test_the_check_sees_a_violation() -> None:
    assert not _allowed("twin.state", "ingest")
    assert not _allowed("twin.service", "simulators")
    assert _allowed("twin.venue", "simulators")
    assert _allowed("numpy", "ingest")
    assert not _allowed("viewer.app", "notify")
    assert not _allowed("notify.service", "twin")
