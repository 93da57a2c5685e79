"""Record the simulator's traffic from a real Mosquitto, replay it, and ingest it again.

The replayed stream goes through the real ingest (decoder, IngestService,
BatchWriter, SqliteStore) under a remapped topic root and must store exactly
the rows the original ingest stored.
"""

from __future__ import annotations

import asyncio
import itertools
import math
import sqlite3
from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager
from pathlib import Path

import pytest

from ingest.contract import Topics
from ingest.decode import Decoder
from ingest.metrics import IngestMetrics
from ingest.mqtt_settings import MqttSettings
from ingest.service import IngestService
from ingest.store import BatchWriter, SqliteStore
from simulators.mqtt_config import MqttConfig
from simulators.publisher import run_simulation
from simulators.recorder import Recorder
from simulators.recording_reader import RecordingReader
from simulators.replayer import MqttSender, TopicRemap, replay_recording
from tests.fixtures.mosquitto import MosquittoServer
from tests.integration.waiting import until
from twin.loader import load_sample
from twin.service import TwinService

pytestmark = pytest.mark.integration

V = "museum-wing"


@asynccontextmanager
async def _ingest(
    broker: MosquittoServer, db: Path, prefix: str, client_id: str
) -> AsyncIterator[tuple[SqliteStore, BatchWriter, IngestService]]:
    twin = TwinService([load_sample(V)])
    store = SqliteStore(db)
    await store.open()
    metrics = IngestMetrics()
    writer = BatchWriter(store, metrics, max_delay_s=0.02)
    writer_task = writer.start()
    topics = Topics(prefix)
    decoder = Decoder(topics, known_venue=twin.knows, known_sensor=twin.knows)
    service = IngestService(
        MqttSettings(host=broker.host, port=broker.port, client_id=client_id),
        topics,
        decoder,
        writer,
        store,
        metrics,
    )
    try:
        async with service:
            await service.wait_connected()
            await asyncio.sleep(0.2)  # the SUBSCRIBE is sent on connect; let it land
            yield store, writer, service
    finally:
        await writer.close()
        await writer_task
        await store.close()


def _rows(db: Path) -> list[tuple[str, str, int, float, int]]:
    with sqlite3.connect(db) as conn:
        return conn.execute(
            "SELECT venue, sensor, ts, value, quality FROM readings ORDER BY venue, sensor, ts"
        ).fetchall()


def _stored(service: IngestService) -> float:
    value = service.metrics.snapshot()["readings_stored"]
    assert isinstance(value, float)
    return value


async def _until(pred: Callable[[], object], timeout: float = 30.0) -> None:
    await until(pred, timeout, poll_s=0.05)


async def test_recorded_simulator_traffic_replays_into_the_same_rows(
    mosquitto: MosquittoServer, tmp_path: Path
) -> None:
    recording = tmp_path / "sim.vtrec"
    first_db, second_db = tmp_path / "first.sqlite3", tmp_path / "second.sqlite3"
    venue = load_sample(V)

    # 1. Live: the simulator publishes, ingest stores, the recorder records.
    async with _ingest(mosquitto, first_db, "", "it-ingest-live") as (_, writer, service):
        recorder = Recorder(
            MqttConfig(host=mosquitto.host, port=mosquitto.port), recording, flush_interval_s=0.2
        )
        stop = asyncio.Event()
        rec_task = asyncio.create_task(recorder.run(stop))
        await _until(lambda: recorder.subscribed)
        sim = await run_simulation(
            venue, mosquitto.host, mosquitto.port, speed=math.inf, duration_s=900.0, seed=3
        )
        assert sim.readings > 1000
        await _until(lambda: _stored(service) >= sim.readings)
        await _until(lambda: writer.pending == 0)
        await _until(lambda: recorder.progress.messages >= sim.messages)
        stop.set()
        progress = await rec_task
    assert progress.dropped == 0
    original = _rows(first_db)
    assert len(original) == sim.readings

    with RecordingReader(recording) as reader:
        assert reader.header.topic_filter == "venues/#"
        assert reader.header.broker == f"mqtt://{mosquitto.host}:{mosquitto.port}"
        recorded = list(reader.messages())
    assert len(recorded) == progress.messages
    assert all(m.topic.startswith(f"venues/{V}/") for m in recorded)
    assert all(a.ts <= b.ts for a, b in itertools.pairwise(recorded))

    # 2. Replay under another root: live subscribers never see it, a replay ingest does.
    async with _ingest(mosquitto, second_db, "replay", "it-ingest-replay") as (_, writer, svc):
        async with MqttSender(MqttConfig(host=mosquitto.host, port=mosquitto.port)) as sender:
            sent = await replay_recording(
                recording,
                sender,
                speed=math.inf,
                remap=TopicRemap.parse(["venues/=replay/venues/"]),
            )
        assert sent.messages == len(recorded)
        await _until(lambda: _stored(svc) >= sim.readings)
        await _until(lambda: writer.pending == 0)
    assert _rows(second_db) == original
