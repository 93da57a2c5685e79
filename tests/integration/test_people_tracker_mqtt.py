"""A people tracker through real Mosquitto: its count is stored, its positions give density.

Frames published on the tracker's sensor topic reach ingest, the store (the
count only), the live analytics (direct count, classic and Voronoi density,
speed) and the live view; a bad frame is dead-lettered while the rest flows.
"""

from __future__ import annotations

import json
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import paho.mqtt.client as mqtt
import pytest
from paho.mqtt.enums import CallbackAPIVersion

from ingest.contract import Topics
from tests.fixtures.mosquitto import MosquittoServer
from tests.integration.waiting import until
from twin.loader import load_sample
from twin.venue import Venue
from twin.venue_writer import write_venue_yaml
from venue_twin.settings import load_settings
from venue_twin.wiring import Platform

pytestmark = pytest.mark.integration

T = Topics()


async def _until(pred: Callable[[], object], timeout: float = 20.0) -> None:
    await until(pred, timeout, poll_s=0.1)


def _venue_with_tracker(tmp_path: Path) -> Venue:
    doc = load_sample("museum-wing").model_dump(mode="json")
    corridor = next(z for z in doc["zones"] if z["id"] == "corridor")
    xs = [p[0] for p in corridor["floor"]]
    ys = [p[1] for p in corridor["floor"]]
    doc["sensors"].append(
        {
            "id": "corridor-tracker",
            "kind": "people_tracker",
            "zone": "corridor",
            "position": [(min(xs) + max(xs)) / 2, (min(ys) + max(ys)) / 2, 2.5],
            "interval_s": 1,
        }
    )
    venue = Venue.model_validate(doc)
    write_venue_yaml(venue, tmp_path / "wing.yaml")
    return venue


async def test_tracker_frames_through_mosquitto(mosquitto: MosquittoServer, tmp_path: Path) -> None:
    venue = _venue_with_tracker(tmp_path)
    corridor = next(z for z in venue.zones if z.id == "corridor")
    xs = [p[0] for p in corridor.floor]
    ys = [p[1] for p in corridor.floor]
    cx, cy = (min(xs) + max(xs)) / 2, (min(ys) + max(ys)) / 2
    settings = load_settings(
        None,
        venues=[str(tmp_path / "wing.yaml")],
        store_url=f"sqlite:///{tmp_path / 'twin.sqlite3'}",
        mqtt={"host": mosquitto.host, "port": mosquitto.port, "client_id": "it-tracker"},
        spool_dir=str(tmp_path / "spool"),
        auth={"enabled": False},
    )
    topic = T.sensor(venue.id, "corridor-tracker")
    t0 = time.time() - 20.0
    async with Platform(settings) as platform:
        assert platform.store is not None
        pub = mqtt.Client(CallbackAPIVersion.VERSION2, client_id="it-tracker-device")
        pub.connect(mosquitto.host, mosquitto.port)
        pub.loop_start()
        try:
            # Four people shuffling +x at 0.1 m/s (a queue), 2 frames per second for 12 s.
            for k in range(25):
                t = k * 0.5
                frame = {
                    "ts": round((t0 + t) * 1000),
                    "count": 4,
                    "positions": [[cx - 1.5 + t / 10 + 0.8 * i, cy] for i in range(4)],
                    "ids": [f"p{i}" for i in range(4)],
                }
                pub.publish(topic, json.dumps(frame).encode(), qos=1).wait_for_publish(5)
            bad = {"ts": round(t0 * 1000), "count": 1, "positions": [[0, 0], [1, 1]]}
            pub.publish(topic, json.dumps(bad).encode(), qos=1).wait_for_publish(5)
        finally:
            pub.loop_stop()
            pub.disconnect()

        def zone() -> dict[str, Any]:
            body = platform.analytics_view.body(venue.id)
            assert body is not None
            z: dict[str, Any] = body["zones"]["corridor"]
            return z

        await _until(lambda: zone().get("voronoi_density") is not None)
        got = zone()
        assert got["tracked_density"] == pytest.approx(4 / corridor.area_m2)
        assert got["voronoi_density"] == pytest.approx(4 / corridor.area_m2, rel=0.05)
        assert got["speed_m_s"] == pytest.approx(0.1, rel=0.01)
        assert got["occupancy"] == pytest.approx(4 / 0.98, abs=1.0)
        rejected = platform.metrics.snapshot()["rejected"]
        assert isinstance(rejected, dict) and rejected.get("bad_shape") == 1
        await _until(lambda: platform.metrics.snapshot()["readings_stored"] >= 25)
        rows = await platform.store.raw(venue.id, "corridor-tracker", 0, 4e9)
        assert len(rows) == 25 and {r.value for r in rows} == {4.0}
