"""The `venue-twin` command as users run it: real processes, real ports."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import paho.mqtt.client as mqtt
import pytest
from paho.mqtt.enums import CallbackAPIVersion

from tests.fixtures.mosquitto import MosquittoServer
from venue_twin.embedded_broker import free_port

pytestmark = pytest.mark.integration

CLI = [sys.executable, "-m", "venue_twin.cli"]


def run(*args: str, timeout: float = 60) -> subprocess.CompletedProcess[str]:
    return subprocess.run([*CLI, *args], capture_output=True, text=True, timeout=timeout)


def test_help_lists_every_command() -> None:
    out = run("--help")
    assert out.returncode == 0
    for command in (
        "demo",
        "serve",
        "ingest",
        "simulate",
        "record",
        "replay",
        "venue",
        "anomaly",
        "import-ifc",
        "scan-change",
    ):
        assert command in out.stdout


def test_venue_check_accepts_a_sample_and_points_at_the_bad_line(tmp_path: Path) -> None:
    ok = run("venue", "check", "sample:museum-wing")
    assert ok.returncode == 0
    assert "5 zones" in ok.stderr and "29 sensors" in ok.stderr
    bad = tmp_path / "bad.yaml"
    bad.write_text("id: x\nname: X\nzones:\n  - id: a\n    name: A\n    floor: [[0, 0], [1, 0]]\n")
    res = run("venue", "check", str(bad))
    assert res.returncode == 1
    assert f"{bad}:6: zones.0.floor" in res.stderr


def test_anomaly_score_writes_the_nab_results_format(tmp_path: Path) -> None:
    src = tmp_path / "in.csv"
    rows = ["timestamp,value"] + [
        f"2024-01-01 00:{i // 60:02d}:{i % 60:02d},{20.0 + (15.0 if i == 300 else 0.0)}"
        for i in range(600)
    ]
    src.write_text("\n".join(rows) + "\n")
    out = tmp_path / "out.csv"
    res = run("anomaly", "score", str(src), "--out", str(out))
    assert res.returncode == 0, res.stderr
    lines = out.read_text().splitlines()
    assert lines[0] == "timestamp,value,anomaly_score"
    scores = [float(line.rsplit(",", 1)[1]) for line in lines[1:]]
    assert len(scores) == 600
    assert max(range(600), key=scores.__getitem__) == 300


def test_simulate_publishes_to_a_broker(mosquitto: MosquittoServer) -> None:
    got: list[str] = []
    sub = mqtt.Client(CallbackAPIVersion.VERSION2, client_id="cli-test-sub")
    sub.on_message = lambda _c, _u, m: got.append(m.topic)
    sub.connect(mosquitto.host, mosquitto.port)
    sub.subscribe("venues/#", qos=0)
    sub.loop_start()
    time.sleep(0.3)
    try:
        res = run(
            "simulate",
            "--host",
            mosquitto.host,
            "--port",
            str(mosquitto.port),
            "--speed",
            "600",
            "--duration",
            "600",
            "--seed",
            "3",
        )
        time.sleep(0.5)
    finally:
        sub.loop_stop()
    assert res.returncode == 0, res.stderr
    assert "venues/museum-wing/batch" in got
    assert any(t.startswith("venues/museum-wing/status/") for t in got)


def _login(port: int, credentials: Path) -> str:
    """The demo's admin token, from the credentials file the demo writes."""
    users = dict(line.split(" ", 1) for line in credentials.read_text().splitlines() if line)
    body = json.dumps({"username": "admin", "password": users["admin"].strip()}).encode()
    req = urllib.request.Request(
        f"http://127.0.0.1:{port}/api/auth/login",
        data=body,
        headers={"Content-Type": "application/json"},
    )
    with urllib.request.urlopen(req, timeout=5) as r:
        token: str = json.load(r)["token"]
    return token


def test_demo_starts_serves_and_stops_cleanly_on_ctrl_c(tmp_path: Path) -> None:
    port, mqtt_port = free_port(), free_port()
    proc = subprocess.Popen(
        [
            *CLI,
            "demo",
            "--port",
            str(port),
            "--mqtt-port",
            str(mqtt_port),
            "--no-browser",
            "--data-dir",
            str(tmp_path / "data"),
        ],
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
        env={**os.environ, "COLUMNS": "200"},
    )
    try:
        deadline = time.monotonic() + 60
        health: dict[str, object] = {}
        token = ""
        while time.monotonic() < deadline:
            try:
                if not token:
                    token = _login(port, tmp_path / "data" / "demo-credentials.txt")
                req = urllib.request.Request(
                    f"http://127.0.0.1:{port}/api/health",
                    headers={"Authorization": f"Bearer {token}"},
                )
                with urllib.request.urlopen(req, timeout=2) as r:
                    health = json.load(r)
                ingest = health["ingest"]
                assert isinstance(ingest, dict)
                if ingest["readings_stored"]:
                    break
            except (OSError, KeyError):
                pass  # not up yet, or the credentials file not written yet
            time.sleep(0.5)
        assert health.get("mqtt_connected") is True
        proc.send_signal(signal.SIGINT)
        out, _ = proc.communicate(timeout=30)
    finally:
        if proc.poll() is None:
            proc.kill()
    assert proc.returncode == 0, out
    assert f"viewer on http://127.0.0.1:{port}" in out
    # The start-up heap is frozen: full collections no longer stall the loop for it.
    assert "start-up heap frozen" in out
    assert "stopped cleanly" in out
    assert (tmp_path / "data" / "demo.sqlite3").exists()
