"""Browser page load of a venue whose mesh is a large scan, in headless Chromium.

    python bench/page_load.py [--subdivisions 8] [--seconds 5]

Serves the viewer (authentication off, no broker or database: the page needs
only the venue, its state and its mesh) for a venue whose mesh is an
icosphere written as binary PLY (subdivisions 8: 1,310,720 triangles, like a
photogrammetry scan), and opens it in Debian's chromium through Playwright
with software WebGL (SwiftShader: there is no GPU here, so frame rates are a
floor, far below a laptop's). For the server's default level of detail and
for full detail (``?lod=0``) it prints the mesh bytes sent, the time from
navigation to the venue drawn and live, and the frames drawn per second while
the camera orbits (mouse drag).
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import sys
import tempfile
import threading
import time
import urllib.request
from collections.abc import Iterator
from pathlib import Path

import trimesh
import uvicorn
from playwright.sync_api import Response, sync_playwright

_here = Path(__file__).resolve().parent
sys.path[:] = [str(_here.parent)] + [p for p in sys.path if Path(p or ".").resolve() != _here]

from twin.service import TwinService
from twin.venue import Venue
from venue_twin.embedded_broker import free_port
from venue_twin.http_server import server_config
from viewer.app import ViewerContext, create_app
from viewer.auth import Authenticator
from viewer.hub import Hub

CHROMIUM = "/usr/bin/chromium"
ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--use-angle=swiftshader",
    "--enable-unsafe-swiftshader",
    "--disable-background-networking",
]


def scan_venue(directory: Path, subdivisions: int) -> Venue:
    sphere = trimesh.creation.icosphere(subdivisions=subdivisions, radius=8.0)
    sphere.apply_translation((10.0, 10.0, 0.0))
    (directory / "scan.ply").write_bytes(sphere.export(file_type="ply"))
    return Venue.model_validate(
        {
            "id": "scan",
            "name": f"Scanned hall ({len(sphere.faces):,} triangles)",
            "mesh": {"file": "scan.ply"},
            "zones": [
                {"id": "hall", "name": "Hall", "floor": [[0, 0], [20, 0], [20, 20], [0, 20]]}
            ],
            "sensors": [
                {"id": "t1", "kind": "temperature", "zone": "hall", "position": [10, 10, 1.5]}
            ],
            "source": directory / "venue.yaml",
        }
    )


@contextlib.contextmanager
def serving(venue: Venue) -> Iterator[int]:
    twin = TwinService([venue])
    ctx = ViewerContext(
        twin=twin,
        store=None,  # type: ignore[arg-type]  # the page load reads no history
        hub=Hub(twin),
        health=dict,
        auth=Authenticator(None, None),
    )
    port = free_port()
    server = uvicorn.Server(server_config(create_app(ctx), "127.0.0.1", port, log_level="error"))
    thread = threading.Thread(target=lambda: asyncio.run(server.serve()), daemon=True)
    thread.start()
    while not server.started:
        time.sleep(0.05)
    try:
        yield port
    finally:
        server.should_exit = True
        thread.join(10)


def measure(port: int, query: str, seconds: float) -> dict[str, float]:

    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=ARGS)
        page = browser.new_page(viewport={"width": 1600, "height": 900})
        mesh: dict[str, float] = {}

        def on_response(response: Response) -> None:
            if "/mesh.glb" in response.url:
                mesh["bytes"] = float(response.headers.get("content-length", "nan"))
                mesh["lod"] = float(response.headers.get("x-mesh-lod", "nan"))

        page.on("response", on_response)
        t0 = time.perf_counter()
        page.goto(f"http://127.0.0.1:{port}/{query}", timeout=600_000)
        page.wait_for_function("window.__venueTwin && window.__venueTwin.ready", timeout=600_000)
        ready = time.perf_counter() - t0
        # Orbit the camera as an operator would: every move asks for a frame.
        box = page.viewport_size or {"width": 1600, "height": 900}
        x, y = box["width"] * 0.35, box["height"] * 0.5
        page.mouse.move(x, y)
        page.mouse.down()
        f0 = page.evaluate("window.__venueTwin.framesRendered")
        t1 = time.perf_counter()
        step = 0
        while time.perf_counter() - t1 < seconds:
            step += 1
            page.mouse.move(x + 40 * ((step % 20) - 10), y, steps=1)
            page.wait_for_timeout(16)
        f1 = page.evaluate("window.__venueTwin.framesRendered")
        elapsed = time.perf_counter() - t1
        page.mouse.up()
        browser.close()
    return {
        "lod": mesh.get("lod", float("nan")),
        "mib": mesh.get("bytes", 0.0) / 2**20,
        "ready_s": ready,
        "fps": (f1 - f0) / elapsed,
    }


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--subdivisions", type=int, default=8)
    ap.add_argument("--seconds", type=float, default=5.0)
    args = ap.parse_args()
    with tempfile.TemporaryDirectory(prefix="bench-page-") as tmp:
        venue = scan_venue(Path(tmp), args.subdivisions)
        print(f"venue: {venue.name}", file=sys.stderr)
        rows = []
        with serving(venue) as port:
            # Build both GLBs first: the server's import and decimation are in
            # bench/twin_load.py; here the browser's side is measured.
            for query in ("", "?lod=0"):
                url = f"http://127.0.0.1:{port}/api/venues/{venue.id}/mesh.glb{query}"
                urllib.request.urlopen(url, timeout=600).read()
            for label, query in [("server default", ""), ("full detail", "?lod=0")]:
                rows.append((label, measure(port, query, args.seconds)))
                print(f"  {label}: done", file=sys.stderr)
    print(f"\n{'request':<16} {'lod':>4} {'mesh MiB':>9} {'ready s':>8} {'frames/s':>9}")
    for label, r in rows:
        print(
            f"{label:<16} {r['lod']:>4.0f} {r['mib']:>9.1f} {r['ready_s']:>8.1f} {r['fps']:>9.1f}"
        )
    print(
        "\nheadless chromium, software WebGL (SwiftShader) on a 2-core machine: a floor, not a GPU"
    )


if __name__ == "__main__":
    main()
