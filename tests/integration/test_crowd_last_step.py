"""A replay that ends mid-step, then a shutdown: the last partial crowd steps still show.

Through real services: a recording replayed into Mosquitto by the replayer,
ingest, the live analytics, the live view (REST/WebSocket) and the state feed
on ``venues/{venue}/twin/...``.
"""

from __future__ import annotations

import json
import math
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import paho.mqtt.client as mqtt
import pytest
from paho.mqtt.enums import CallbackAPIVersion

from ingest.contract import Reading, Topics
from ingest.encode import encode_reading
from simulators.mqtt_config import MqttConfig
from simulators.recording import RecordedMessage, RecordingHeader
from simulators.recording_writer import RecordingWriter
from simulators.replayer import MqttSender, replay_recording
from tests.fixtures.mosquitto import MosquittoServer
from tests.integration.waiting import until
from venue_twin.settings import load_settings
from venue_twin.wiring import Platform

pytestmark = pytest.mark.integration

V = "museum-wing"
T = Topics()


def _record(path: Path, t0: float, counts: list[tuple[float, float]]) -> None:
    writer = RecordingWriter(path, RecordingHeader(start=t0))
    for dt, n in counts:
        r = Reading(V, "gate-main-door", t0 + dt, n)
        writer.write(RecordedMessage(t0 + dt, T.sensor(V, r.sensor), encode_reading(r), qos=1))
    writer.close()


async def _until(pred: Callable[[], object], timeout: float = 15.0) -> None:
    await until(pred, timeout, poll_s=0.1)


async def test_the_end_of_a_replay_and_a_shutdown_publish_the_partial_step(
    mosquitto: MosquittoServer, tmp_path: Path
) -> None:
    settings = load_settings(
        None,
        store_url=f"sqlite:///{tmp_path / 'twin.sqlite3'}",
        mqtt={"host": mosquitto.host, "port": mosquitto.port, "client_id": "it-crowd-end"},
        spool_dir=str(tmp_path / "spool"),
        auth={"enabled": False},
        publish_state=True,
    )
    deltas: list[dict[str, Any]] = []
    feed = mqtt.Client(CallbackAPIVersion.VERSION2, client_id="it-state-reader")
    feed.on_message = lambda _c, _u, m: deltas.append(json.loads(m.payload))
    feed.connect(mosquitto.host, mosquitto.port)
    feed.subscribe(T.twin(V, "delta"), qos=1)
    feed.loop_start()
    t0 = round(time.time() - 30.0, 3)
    recording = tmp_path / "end.vtrec"
    # 12 people in through the main door within 4 s: less than one 10 s crowd step.
    _record(recording, t0, [(0.0, 0.0), (2.0, 5.0), (4.0, 12.0)])
    try:
        async with Platform(settings) as platform:
            cfg = MqttConfig(host=mosquitto.host, port=mosquitto.port)
            async with MqttSender(cfg) as sender:
                sent = await replay_recording(recording, sender, speed=math.inf)
            assert sent.messages == 3

            def entrance() -> dict[str, Any]:
                body = platform.analytics_view.body(V)
                assert body is not None
                zone: dict[str, Any] = body["zones"]["entrance"]
                return zone

            # The replay is over: within the idle time the partial step shows.
            await _until(lambda: (entrance().get("occupancy") or 0.0) > 10.0)
            assert entrance()["inflow_per_s"] == pytest.approx(3.0 / 0.96, rel=0.05)
            # More people, then the twin stops before a whole step has passed.
            pub = mqtt.Client(CallbackAPIVersion.VERSION2, client_id="it-door")
            pub.connect(mosquitto.host, mosquitto.port)
            pub.loop_start()
            r = Reading(V, "gate-main-door", t0 + 6.0, 30.0)
            pub.publish(T.sensor(V, r.sensor), encode_reading(r), qos=1).wait_for_publish(5)
            pub.loop_stop()
            pub.disconnect()
            await _until(lambda: platform.metrics.snapshot()["readings_stored"] >= 4)
        # Shut down: the step closed at t0 + 6 went out on the state feed.
        await _until(
            lambda: any(
                ((d.get("analytics") or {}).get("zones", {}).get("entrance") or {}).get(
                    "occupancy", 0.0
                )
                > 25.0
                for d in deltas
            ),
            timeout=5.0,
        )
    finally:
        feed.loop_stop()
        feed.disconnect()
