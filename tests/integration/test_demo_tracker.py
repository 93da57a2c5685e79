"""``venue-twin demo`` out of the box: the sample venue's people tracker feeds the entrance hall.

No venue file of one's own, no device of one's own: the shipped museum wing
declares a tracker over its entrance hall, the demo's simulator publishes its
count-and-positions frames, and the live results carry what only a tracker
gives (classic and Voronoi density, measured walking speed) within the first
minute.
"""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
import urllib.request
from pathlib import Path
from typing import Any

from venue_twin.embedded_broker import free_port

CLI = [sys.executable, "-m", "venue_twin.cli"]


def _get(port: int, path: str, token: str) -> Any:
    req = urllib.request.Request(
        f"http://127.0.0.1:{port}{path}", headers={"Authorization": f"Bearer {token}"}
    )
    with urllib.request.urlopen(req, timeout=5) as r:
        return json.load(r)


def _login(port: int, credentials: Path) -> str:
    users = dict(line.split(" ", 1) for line in credentials.read_text().splitlines() if line)
    body = json.dumps({"username": "viewer", "password": users["viewer"].strip()}).encode()
    req = urllib.request.Request(
        f"http://127.0.0.1:{port}/api/auth/login",
        data=body,
        headers={"Content-Type": "application/json"},
    )
    with urllib.request.urlopen(req, timeout=5) as r:
        token: str = json.load(r)["token"]
    return token


def test_the_demo_shows_the_entrance_trackers_figures_within_a_minute(tmp_path: Path) -> None:
    port, mqtt_port = free_port(), free_port()
    data = tmp_path / "data"
    started = time.monotonic()
    args = ["--port", str(port), "--mqtt-port", str(mqtt_port), "--data-dir", str(data)]
    # The midday crowd whatever the hour of the run: at night the hall holds one or two.
    args += ["--local-hour", "11:00"]
    proc = subprocess.Popen(
        [*CLI, "demo", *args, "--no-browser"],
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
        env={**os.environ, "COLUMNS": "200"},
    )
    entrance: dict[str, Any] = {}
    state: dict[str, Any] = {}
    took = None
    try:
        token = ""
        while time.monotonic() - started < 90:
            try:
                if not token:
                    token = _login(port, data / "demo-credentials.txt")
                zones = _get(port, "/api/venues/museum-wing/analytics", token)["zones"]
                entrance = zones.get("entrance") or {}
                # People in the tracker's latest frame, not just a speed from
                # earlier ones: a step can end with the hall empty for a moment.
                if entrance.get("tracked_density") and entrance.get("speed_m_s"):
                    took = time.monotonic() - started
                    state = _get(port, "/api/venues/museum-wing/state", token)["sensors"]
                    break
            except (OSError, KeyError, ValueError):
                pass  # not up yet
            time.sleep(1.0)
        proc.send_signal(signal.SIGINT)
        out, _ = proc.communicate(timeout=30)
    finally:
        if proc.poll() is None:
            proc.kill()
    assert took is not None, (entrance, out[-3000:])
    # Within the first minute of the demo, start-up included.
    assert took < 60.0, took
    assert entrance["tracker_offline"] is False
    # The hall's own people, seen by the tracker: densities agree with the occupancy.
    assert entrance["tracked_density"] > 0 and entrance["occupancy"] > 0
    assert 0.5 < entrance["voronoi_density"] / entrance["tracked_density"] < 2.0
    # Where it saw them, for the page to draw: inside the 12 x 10 m hall.
    xy = entrance["tracked_positions"]
    assert xy and all(0 <= x <= 12 and 0 <= y <= 10 for x, y in xy)
    # The simulator's walkers go 0.8 m/s (turning at the walls: a little less measured).
    assert 0.3 < entrance["speed_m_s"] < 1.0
    # Its count is a reading like any sensor's; the device is healthy.
    tracker = state["entrance-tracker"]
    assert tracker["status"] == "ok" and tracker["value"] is not None
