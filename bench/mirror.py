"""Twin to mirror viewer over Mosquitto: publish-to-mirror-frame latency and message sizes.

    python bench/mirror.py            # 1,000 and 5,000 sensors at 1 Hz, 20 s each
    python bench/mirror.py --quick    # 10 s each

One process: a source twin with its :class:`StatePublisher` (10 Hz tick), a
Mosquitto broker (Debian binary, loopback), and a mirror (:class:`MirrorClient`
+ :class:`Mirror`) whose live channel is drained at the hub's 10 Hz tick.
Latency = time the mirror's channel builds the WebSocket delta minus the
time the reading was applied at the twin; it includes both ticks (up to
100 ms each), the broker, and decoding. Frame sending to browsers is what
``bench/websocket.py`` measures.
"""

from __future__ import annotations

import argparse
import asyncio
import sys
import tempfile
import time
from pathlib import Path

import numpy as np

# Run as a script, this folder would shadow the `ingest` package (bench/ingest.py).
_here = Path(__file__).resolve().parent
sys.path[:] = [str(_here.parent)] + [p for p in sys.path if Path(p or ".").resolve() != _here]

from ingest.contract import Reading, Topics  # noqa: E402
from ingest.mqtt_settings import MqttSettings  # noqa: E402
from tests.fixtures.mosquitto import MosquittoServer, find_mosquitto  # noqa: E402
from twin.replica import StatePublisher  # noqa: E402
from twin.service import TwinService  # noqa: E402
from twin.venue import SensorDef, SensorKind, Venue, Zone  # noqa: E402
from viewer.channels import LiveChannel  # noqa: E402
from viewer.mirror import Mirror  # noqa: E402
from viewer.mirror_client import MirrorClient  # noqa: E402
from viewer.mirror_views import MirrorAlarms, MirrorAnalytics, MirrorCommands  # noqa: E402

V = "bench"
TICK_S = 0.1


def venue(sensors: int) -> Venue:
    zones = [
        Zone(id=f"z{i}", name=f"Z{i}", floor=[(i, 0), (i + 1, 0), (i + 1, 1), (i, 1)])
        for i in range(20)
    ]
    defs = [
        SensorDef(
            id=f"s{i}",
            kind=SensorKind.TEMPERATURE,
            zone=f"z{i % 20}",
            position=(i % 20 + 0.5, 0.5, 2.0),
            interval_s=1.0,
        )
        for i in range(sensors)
    ]
    return Venue(id=V, name="Bench", zones=zones, sensors=defs)


async def scenario(broker: MosquittoServer, sensors: int, seconds: float) -> dict[str, float]:
    v = venue(sensors)
    mqtt = MqttSettings(host=broker.host, port=broker.port, client_id="bench-twin")
    source = TwinService([v])
    publisher = StatePublisher(mqtt, Topics(), source, tick_s=TICK_S, snapshot_s=10.0)
    mirror_twin = TwinService([v])
    client = MirrorClient(mqtt, Topics(), [V], client_id="bench-viewer")
    alarms, commands = MirrorAlarms(client), MirrorCommands(client)
    client.mirror = Mirror(
        mirror_twin, alarms, commands, MirrorAnalytics([v]), resync=client.request_resync
    )
    channel = LiveChannel(V, lambda: mirror_twin.states[V])
    mirror_twin.add_listener(lambda _v, ch: channel.on_changes(ch))
    latencies: list[float] = []

    async def hub_tick(stop: asyncio.Event) -> None:
        while not stop.is_set():
            await asyncio.sleep(TICK_S)
            now = time.time()
            for frame in channel.drain(now):
                # ts None: a sensor the twin does not know a value of (e.g. a new epoch).
                latencies.extend(
                    now - s["ts"] for s in frame["sensors"].values() if s["ts"] is not None
                )

    async with publisher, client:
        tasks = [asyncio.create_task(publisher.run())]
        while not client.mirror.ready(V):
            await asyncio.sleep(0.05)
        stop = asyncio.Event()
        tasks.append(asyncio.create_task(hub_tick(stop)))
        # Every sensor once a second, spread over 20 slices of 50 ms.
        slices = 20
        ids = [s.id for s in v.sensors]
        start = time.monotonic()
        n = 0
        while time.monotonic() - start < seconds:
            part = ids[n % slices :: slices]
            now = time.time()
            source.apply_readings([Reading(V, sid, now, float(n)) for sid in part])
            n += 1
            await asyncio.sleep(max(0.0, start + n / slices - time.monotonic()))
        await asyncio.sleep(0.5)
        stop.set()
        for t in tasks:
            t.cancel()
        await asyncio.gather(*tasks, return_exceptions=True)
        stats = publisher.stats
    arr = np.asarray(latencies) * 1000.0
    expected = sensors * seconds
    return {
        "sensors": sensors,
        "values_seen": float(len(arr)),
        "delivered_pct": 100.0 * len(arr) / expected,
        "p50_ms": float(np.percentile(arr, 50)),
        "p99_ms": float(np.percentile(arr, 99)),
        "deltas": float(stats.deltas),
        "dropped": float(stats.dropped_deltas),
        "bad": float(client.stats.bad_messages),
    }


async def main(seconds: float, sizes: list[int]) -> None:
    with tempfile.TemporaryDirectory() as tmp:
        broker = MosquittoServer(find_mosquitto(), Path(tmp))
        broker.start()
        try:
            print("| sensors at 1 Hz | values | delivered | p50 ms | p99 ms | deltas | dropped |")
            print("|---|---|---|---|---|---|---|")
            for size in sizes:
                r = await scenario(broker, size, seconds)
                print(
                    f"| {size:,} | {r['values_seen']:,.0f} | {r['delivered_pct']:.1f}% | "
                    f"{r['p50_ms']:.0f} | {r['p99_ms']:.0f} | {r['deltas']:.0f} | "
                    f"{r['dropped']:.0f} |"
                )
        finally:
            broker.stop()


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="10 s per scenario")
    parser.add_argument("--seconds", type=float, default=20.0)
    parser.add_argument("--sensors", type=int, nargs="+", default=[1000, 5000])
    args = parser.parse_args()
    asyncio.run(main(10.0 if args.quick else args.seconds, args.sensors))
