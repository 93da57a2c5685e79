"""`venue-twin demo` starts without the heavy libraries it does not need yet.

trimesh (with scipy.spatial and networkx), psycopg, matplotlib and the BIM and
point-cloud libraries cost seconds to import on this class of machine. The
demo (SQLite, embedded broker) needs none of them before its first live
value: the GLB export loads trimesh when a browser asks for the model, and
only a PostgreSQL URL loads psycopg, and only configured notifications load
httpx. A fresh interpreter runs the demo's
start path (command module, broker, the whole platform up to the viewer app)
and reports what it imported.
"""

from __future__ import annotations

import os
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

HEAVY = (
    "trimesh",
    "networkx",
    "fast_simplification",
    "psycopg",
    "psycopg_pool",
    "matplotlib",
    "ifcopenshell",
    "open3d",
    "httpx",  # notifications' HTTP client: only when notifications are configured
)

_START = textwrap.dedent(
    """
    import asyncio, sys
    from pathlib import Path

    import venue_twin.commands_demo  # what `venue-twin demo` imports
    from ingest.mqtt_settings import MqttSettings
    from venue_twin.embedded_broker import EmbeddedBroker, free_port
    from venue_twin.settings import load_settings
    from venue_twin.wiring import Platform

    HEAVY = {heavy!r}

    async def main(tmp: Path) -> None:
        port = free_port()
        settings = load_settings(
            None,
            venues=["sample:museum-wing"],
            store_url=f"sqlite://{{tmp / 'demo.sqlite3'}}",
            spool_dir=str(tmp / "spool"),
            publish_state=False,
            auth={{"enabled": False}},
        )
        mqtt = MqttSettings(host="127.0.0.1", port=port, protocol=311, client_id="t")
        async with EmbeddedBroker("127.0.0.1", port):
            async with Platform(settings, mqtt=mqtt) as platform:
                assert platform.app is not None and platform.ingest is not None
                print("LOADED=" + ",".join(m for m in HEAVY if m in sys.modules))

    asyncio.run(main(Path(sys.argv[1])))
    """
)


def _run(code: str, *args: str) -> str:
    env = {**os.environ, "PYTHONPATH": str(Path(__file__).resolve().parents[2])}
    res = subprocess.run(
        [sys.executable, "-c", code, *args],
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert res.returncode == 0, res.stderr[-3000:]
    return res.stdout


def test_the_demo_start_path_imports_no_heavy_library(tmp_path: Path) -> None:
    out = _run(_START.format(heavy=HEAVY), str(tmp_path))
    loaded = next(line for line in out.splitlines() if line.startswith("LOADED="))
    assert loaded == "LOADED=", f"imported before the first value: {loaded[7:]}"


@pytest.mark.parametrize(
    ("module", "name", "heavy"),
    [
        ("ingest.store", "PostgresStore", "psycopg"),
        ("twin.alarm_stores", "PostgresAlarmStore", "psycopg"),
        ("notify", "Notifier", "httpx"),
    ],
)
def test_the_lazy_names_still_import_and_load_their_library(
    module: str, name: str, heavy: str
) -> None:
    # The names stay importable where they always were; they load on first use.
    code = (
        "import sys, importlib\n"
        f"m = importlib.import_module({module!r})\n"
        f"before = {heavy!r} in sys.modules\n"
        f"from {module} import {name}\n"
        f"print(before, {heavy!r} in sys.modules, {name}.__name__)\n"
    )
    assert _run(code).split() == ["False", "True", name]


def test_glb_export_loads_trimesh_when_asked() -> None:
    code = (
        "import sys\n"
        "from twin.geometry.export import GlbCache\n"
        "from twin.loader import load_sample\n"
        "before = 'trimesh' in sys.modules\n"
        "asset = GlbCache().get(load_sample('museum-wing'))\n"
        "print(before, asset.data[:4].decode(), asset.triangles > 0)\n"
    )
    assert _run(code).split() == ["False", "glTF", "True"]
