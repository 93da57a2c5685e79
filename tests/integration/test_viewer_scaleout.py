"""Scale-out: `venue-twin serve` plus two `venue-twin viewer` processes on a real broker.

The twin runs in this process (so the test can raise alarms and read its
store); the two mirror viewers are real subprocesses (so one can be killed
with SIGKILL), all on one Mosquitto and one PostgreSQL database.
"""

from __future__ import annotations

import asyncio
import json
import os
import signal
import subprocess
import sys
import time
import urllib.error
import urllib.request
from collections.abc import AsyncIterator, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import paho.mqtt.client as mqtt
import pytest
import websockets
import yaml
from paho.mqtt.enums import CallbackAPIVersion

from ingest.contract import Reading, Topics
from ingest.encode import encode_reading
from tests.fixtures.mosquitto import MosquittoServer
from twin.alarms import Action, Severity
from venue_twin.embedded_broker import free_port
from venue_twin.settings import load_settings
from venue_twin.wiring import Platform
from viewer.roles import Role
from viewer.users import UsersFile

pytestmark = pytest.mark.integration

V = "museum-wing"
T = Topics()
USERS = {"ada": (Role.VIEWER, "viewer-pass-1"), "olga": (Role.OPERATOR, "operator-pass-1")}
SECRET = "scaleout-secret-0123456789"
ROOT = Path(__file__).resolve().parents[2]


@dataclass
class ViewerProc:
    name: str
    port: int
    config: Path
    log: Path
    proc: subprocess.Popen[bytes] | None = None

    def start(self) -> None:
        self.proc = subprocess.Popen(
            [sys.executable, "-m", "venue_twin.cli", "viewer", "--config", str(self.config)],
            cwd=ROOT,
            stdout=subprocess.DEVNULL,
            stderr=self.log.open("ab"),
            env={**os.environ, "PYTHONUNBUFFERED": "1"},
        )

    def kill(self) -> None:
        if self.proc is not None and self.proc.poll() is None:
            self.proc.send_signal(signal.SIGKILL)
            self.proc.wait(10)

    def stop(self) -> None:
        if self.proc is not None and self.proc.poll() is None:
            self.proc.terminate()
            try:
                self.proc.wait(10)
            except subprocess.TimeoutExpired:
                self.kill()


@dataclass
class Site:
    twin: Platform
    a: ViewerProc
    b: ViewerProc
    broker: MosquittoServer


def _http(port: int, method: str, path: str, token: str | None = None, body: Any = None) -> Any:
    """``(status, json)`` of one request."""
    headers = {"Content-Type": "application/json"}
    if token is not None:
        headers["Authorization"] = f"Bearer {token}"
    data = json.dumps(body).encode() if body is not None else None
    req = urllib.request.Request(
        f"http://127.0.0.1:{port}{path}", data=data, headers=headers, method=method
    )
    try:
        with urllib.request.urlopen(req, timeout=15) as res:
            return res.status, json.load(res)
    except urllib.error.HTTPError as exc:
        return exc.code, json.loads(exc.read() or b"null")


async def call(
    port: int, method: str, path: str, token: str | None = None, body: Any = None
) -> Any:
    return await asyncio.to_thread(_http, port, method, path, token, body)


async def login(port: int, user: str) -> str:
    status, body = await call(
        port, "POST", "/api/auth/login", body={"username": user, "password": USERS[user][1]}
    )
    assert status == 200, body
    token: str = body["token"]
    return token


async def wait_synced(v: ViewerProc, timeout: float = 30.0) -> str:
    """Until the viewer answers and has the twin's snapshot; returns an operator token."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        assert v.proc is not None and v.proc.poll() is None, v.log.read_text()[-3000:]
        try:
            token = await login(v.port, "olga")
            status, health = await call(v.port, "GET", "/api/health", token)
            if status == 200 and health["mirror"][V]["synced"]:
                return token
        except OSError:
            pass
        await asyncio.sleep(0.2)
    raise AssertionError(f"viewer {v.name} never synchronised: {v.log.read_text()[-3000:]}")


async def open_ws(port: int, token: str) -> Any:
    ws = await websockets.connect(f"ws://127.0.0.1:{port}/ws", compression=None, max_size=None)
    await ws.send(json.dumps({"type": "auth", "token": token}))
    assert json.loads(await ws.recv())["type"] == "hello"
    await ws.send(json.dumps({"type": "subscribe", "venue": V}))
    snapshot = json.loads(await ws.recv())
    assert snapshot["type"] == "snapshot"
    return ws


async def next_frame(ws: Any, match: Any, timeout: float = 5.0) -> dict[str, Any]:
    deadline = time.monotonic() + timeout
    while True:
        left = deadline - time.monotonic()
        if left <= 0:
            raise AssertionError("no matching frame in time")
        frame: dict[str, Any] = json.loads(await asyncio.wait_for(ws.recv(), left))
        if match(frame):
            return frame


@pytest.fixture
def device(mosquitto: MosquittoServer) -> Iterator[mqtt.Client]:
    c = mqtt.Client(CallbackAPIVersion.VERSION2, client_id="scaleout-device")
    c.connect(mosquitto.host, mosquitto.port)
    c.loop_start()
    yield c
    c.disconnect()
    c.loop_stop()


@pytest.fixture
async def site(mosquitto: MosquittoServer, pg_url: str, tmp_path: Path) -> AsyncIterator[Site]:
    users = UsersFile(tmp_path / "users.yaml")
    for name, (role, password) in USERS.items():
        users.add(name, role, password)
    common: dict[str, Any] = {
        "venues": [f"sample:{V}"],
        "store_url": pg_url,
        "ws_tick_hz": 10,
        "state_snapshot_s": 2.0,
        "auth": {"users_file": str(tmp_path / "users.yaml"), "secret": SECRET},
    }
    viewers = []
    for name in ("a", "b"):
        config = tmp_path / f"viewer-{name}.yaml"
        port = free_port()
        doc = {
            **common,
            "mqtt": {"host": mosquitto.host, "port": mosquitto.port},
            "mirror_client_id": f"it-viewer-{name}",
            "http_port": port,
        }
        config.write_text(yaml.safe_dump(doc))
        viewers.append(ViewerProc(name, port, config, tmp_path / f"viewer-{name}.log"))
    settings = load_settings(
        None,
        **common,
        mqtt={"host": mosquitto.host, "port": mosquitto.port, "client_id": "it-twin"},
    )
    async with Platform(settings) as twin:
        for v in viewers:
            v.start()
        try:
            await asyncio.gather(*(wait_synced(v) for v in viewers))
            yield Site(twin, viewers[0], viewers[1], mosquitto)
        finally:
            for v in viewers:
                v.stop()


async def test_a_device_reading_reaches_websocket_clients_of_both_viewers_within_a_second(
    site: Site, device: mqtt.Client
) -> None:
    clients = [await open_ws(v.port, await login(v.port, "ada")) for v in (site.a, site.b)]
    ts = round(time.time() - 0.5, 3)
    sent = time.monotonic()
    device.publish(
        T.sensor(V, "gallery-b-temp"),
        encode_reading(Reading(V, "gallery-b-temp", ts, 23.25)),
        qos=1,
    ).wait_for_publish(5)

    def has_it(frame: dict[str, Any]) -> bool:
        s = frame.get("sensors", {}).get("gallery-b-temp")
        return frame["type"] == "delta" and s is not None and s["value"] == 23.25

    frames = await asyncio.gather(*(next_frame(ws, has_it) for ws in clients))
    elapsed = time.monotonic() - sent
    assert elapsed < 1.0, f"{elapsed:.3f} s"
    for frame in frames:
        assert frame["sensors"]["gallery-b-temp"] == {"value": 23.25, "ts": ts, "status": "ok"}
        assert frame["zones"]["gallery-b"]["temperature"] == 23.25
    for ws in clients:
        await ws.close()
    # A viewer is a long-lived fan-out process too: its start-up heap is frozen.
    for v in (site.a, site.b):
        assert "start-up heap frozen" in v.log.read_text()


async def test_an_acknowledgement_through_viewer_b_reaches_viewer_a_and_the_store(
    site: Site,
) -> None:
    assert site.twin.alarms is not None
    alarm = await site.twin.alarms.raise_alarm(
        V, "gallery-a-rh", "rh_high", Severity.WARNING, "RH 71 % above 65 %", value=71.0
    )
    watcher = await open_ws(site.a.port, await login(site.a.port, "ada"))
    token_b = await login(site.b.port, "olga")

    # Viewer B learns of the alarm from the twin's delta, then forwards the acknowledgement.
    async def b_knows() -> None:
        while True:
            status, page = await call(site.b.port, "GET", f"/api/alarms?venue={V}", token_b)
            if status == 200 and any(a["id"] == alarm.alarm_id for a in page["items"]):
                return
            await asyncio.sleep(0.05)

    await asyncio.wait_for(b_knows(), 5)
    status, body = await call(
        site.b.port,
        "POST",
        f"/api/alarms/{alarm.alarm_id}/acknowledge",
        token_b,
        {"note": "window closed"},
    )
    assert status == 200, body
    assert (body["state"], body["acknowledged_by"], body["note"]) == (
        "acknowledged",
        "olga",
        "window closed",
    )
    frame = await next_frame(
        watcher,
        lambda f: (
            f["type"] == "alarm"
            and f["alarm"]["id"] == alarm.alarm_id
            and f["alarm"]["state"] == "acknowledged"
        ),
    )
    assert frame["alarm"]["acknowledged_by"] == "olga"
    history = await site.twin.alarms.history(alarm.alarm_id)
    assert [(h.action, h.user) for h in history][-1] == (Action.ACKNOWLEDGE, "olga")

    # The same action again: the twin's 409 and message, through the mirror.
    status, again = await call(
        site.b.port, "POST", f"/api/alarms/{alarm.alarm_id}/acknowledge", token_b
    )
    assert status == 409, again
    # A viewer role may not act on a mirror either; an unknown alarm is the twin's 404.
    token_ada = await login(site.b.port, "ada")
    status, _ = await call(site.b.port, "POST", f"/api/alarms/{alarm.alarm_id}/unshelve", token_ada)
    assert status == 403
    status, missing = await call(site.b.port, "POST", "/api/alarms/nope/acknowledge", token_b)
    assert (status, missing["detail"]) == (404, "no alarm 'nope'")
    await watcher.close()


async def test_a_killed_viewer_gets_the_full_state_back_from_the_retained_snapshot(
    site: Site, device: mqtt.Client
) -> None:
    assert site.twin.alarms is not None
    ts = round(time.time() - 0.5, 3)
    device.publish(
        T.sensor(V, "gallery-a-temp"), encode_reading(Reading(V, "gallery-a-temp", ts, 19.5)), 1
    ).wait_for_publish(5)
    alarm = await site.twin.alarms.raise_alarm(
        V, "gallery-a-co2", "co2_high", Severity.CRITICAL, "CO2 1400 ppm"
    )
    site.a.kill()
    # The twin goes on while the viewer is down.
    device.publish(
        T.sensor(V, "gallery-a-temp"),
        encode_reading(Reading(V, "gallery-a-temp", ts + 1, 19.75)),
        1,
    ).wait_for_publish(5)
    await asyncio.sleep(0.5)
    site.a.start()
    token = await wait_synced(site.a)
    status, state = await call(site.a.port, "GET", f"/api/venues/{V}/state", token)
    assert status == 200
    twin_state = site.twin.twin.states[V]
    for s in twin_state.sensors():
        assert state["sensors"][s.sensor] == {
            "value": s.value,
            "ts": s.ts,
            "status": s.health.value,
        }
    assert state["sensors"]["gallery-a-temp"]["value"] == 19.75
    status, page = await call(site.a.port, "GET", f"/api/alarms?venue={V}", token)
    assert alarm.alarm_id in {a["id"] for a in page["items"]}
    status, health = await call(site.a.port, "GET", "/api/health", token)
    assert health["mode"] == "mirror" and health["mqtt_connected"] is True
    assert health["mirror"][V]["snapshot_age_s"] < 5.0
