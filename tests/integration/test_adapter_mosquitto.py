"""A ChirpStack application through a real Mosquitto into the store and the twin:
simulated LoRaWAN devices reporting in degF, and one device nobody configured."""

from __future__ import annotations

import asyncio
import json
import math
from pathlib import Path

import paho.mqtt.client as mqtt
import pytest
from paho.mqtt.enums import CallbackAPIVersion

from simulators.formats import PayloadFormat
from simulators.mqtt_config import MqttConfig as SimMqttConfig
from simulators.publisher import run_simulation
from tests.fixtures.mosquitto import MosquittoServer
from tests.unit.adapters import payloads as P
from twin.loader import load_sample
from venue_twin.settings import load_settings
from venue_twin.wiring import Platform

pytestmark = pytest.mark.integration


async def test_chirpstack_uplinks_end_to_end(mosquitto: MosquittoServer, tmp_path: Path) -> None:
    venue = load_sample("museum-wing")
    fmt = PayloadFormat("chirpstack", venue)
    settings = load_settings(
        None,
        store_url=f"sqlite:///{tmp_path / 'twin.sqlite3'}",
        mqtt={"host": mosquitto.host, "port": mosquitto.port, "client_id": "it-adapter"},
        spool_dir=str(tmp_path / "spool"),
        auth={"enabled": False},
        adapters=[fmt.adapter_spec()],
    )
    async with Platform(settings) as platform:
        assert platform.store is not None
        await run_simulation(
            venue,
            mqtt_config=SimMqttConfig(host=mosquitto.host, port=mosquitto.port),
            speed=math.inf,
            duration_s=1800,
            payload_format="chirpstack",
        )
        # A device no one configured, its uplink as ChirpStack documents it (now-stamped).
        doc = dict(P.CHIRPSTACK_UP)
        pub = mqtt.Client(CallbackAPIVersion.VERSION2, client_id="chirpstack-server")
        pub.connect(mosquitto.host, mosquitto.port)
        pub.loop_start()
        now_doc = json.dumps({**doc, "time": _now_iso()}).encode()
        pub.publish(P.CHIRPSTACK_TOPIC, now_doc, qos=1).wait_for_publish(5)
        pub.loop_stop()
        pub.disconnect()
        temp = next(s for s in venue.sensors if s.kind.value == "temperature")
        rows = []
        for _ in range(100):
            rows = await platform.store.raw(venue.id, temp.id, 0, 4e9)
            unplaced = await platform.store.raw(venue.id, "0101010101010101-humidity", 0, 4e9)
            if len(rows) >= 10 and unplaced:
                break
            await asyncio.sleep(0.1)
        assert len(rows) >= 10
        # Published in degF, stored in the venue's degC.
        assert all(10.0 < r.value < 35.0 for r in rows)
        assert [r.value for r in unplaced] == [48.5]
        states = {s.sensor: s for s in platform.twin.states[venue.id].sensors()}
        assert "0101010101010101-humidity" in states  # unplaced, but in the twin


def _now_iso() -> str:
    from datetime import UTC, datetime

    return datetime.now(UTC).isoformat()
