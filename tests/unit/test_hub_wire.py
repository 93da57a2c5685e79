"""What a fast client receives is pinned byte for byte, in both formats.

``hub_wire_frames.json`` was recorded from the hub before its send path was
reworked (per-client ``asyncio.Queue``, compact rows converted from the
version 1 body); the reworked hub must put the very same text on the wire.
Regenerate it only for a deliberate protocol change:
``PYTHONPATH=$PWD python -m tests.unit.test_hub_wire --write``.
"""

from __future__ import annotations

import asyncio
import json
import sys
from pathlib import Path

from ingest.contract import Reading
from tests.unit.ws_fakes import SubscribingSocket
from twin.data_clock import DataClock
from twin.loader import load_sample
from twin.service import TwinService
from viewer.hub import Hub
from viewer.roles import Principal, Role

V = "museum-wing"
FIXTURE = Path(__file__).with_name("hub_wire_frames.json")
WALL = 1_764_900_000.0  # the data clock's wall time: frames carry no real clock


def _socket(fmt: str) -> SubscribingSocket:
    return SubscribingSocket({"type": "subscribe", "venue": V, "format": fmt})


async def _record() -> dict[str, list[str]]:
    twin = TwinService([load_sample(V)], clock=DataClock(lambda: WALL))
    sensors = [s.id for s in twin.venues[V].sensors]
    hub = Hub(twin)
    socks = {fmt: _socket(fmt) for fmt in ("v1", "compact")}
    tasks = [asyncio.create_task(hub.serve(s, Principal("t", Role.VIEWER))) for s in socks.values()]  # type: ignore[arg-type]
    await asyncio.sleep(0.02)
    for tick in range(6):
        t = WALL - 5 + tick * 0.1
        readings = [
            Reading(V, sid, round(t - 0.05 * k, 3), 20.0 + ((tick * 7 + k) % 11) / 4)
            for k, sid in enumerate(sensors)
            if (k + tick) % 3
        ]
        if tick == 2:  # auto-registered: sent by name in compact frames
            readings.append(Reading(V, "door-new", t, 1.0))
        if tick == 4:  # not a whole millisecond: by name too
            readings.append(Reading(V, sensors[0], t + 0.0004, 19.5))
        twin.apply_readings(readings)
        hub.flush(t + 0.05)
        await asyncio.sleep(0.01)
    for task in tasks:
        task.cancel()
    await asyncio.gather(*tasks, return_exceptions=True)
    # The hello frame carries the wall clock: everything after it is pinned.
    return {fmt: s.sent[1:] for fmt, s in socks.items()}


def test_a_fast_client_gets_the_recorded_frames_byte_for_byte() -> None:
    got = asyncio.run(_record())
    want = json.loads(FIXTURE.read_text())
    for fmt in ("v1", "compact"):
        assert [json.loads(t)["type"] for t in got[fmt]] == ["snapshot"] + ["delta"] * 6
        assert got[fmt] == want[fmt], fmt


if __name__ == "__main__" and "--write" in sys.argv:
    FIXTURE.write_text(json.dumps(asyncio.run(_record()), indent=0) + "\n")
