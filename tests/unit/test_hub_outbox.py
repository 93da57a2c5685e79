"""A client's outbox is bounded, keeps order and wakes its sender; a stuck client delays no one."""

from __future__ import annotations

import asyncio
import json

import pytest

from ingest.contract import Reading
from tests.unit.ws_fakes import SubscribingSocket
from twin.loader import load_sample
from twin.service import TwinService
from viewer.hub import Hub
from viewer.outbox import Outbox
from viewer.roles import Principal, Role

V = "museum-wing"
ME = Principal("tester", Role.VIEWER)


def test_an_outbox_refuses_frames_beyond_its_limit_and_keeps_their_order() -> None:
    box = Outbox(3)
    assert [box.offer(t) for t in "abcd"] == [True, True, True, False]
    assert len(box) == 3
    assert [box.pop() for _ in range(3)] == ["a", "b", "c"]
    assert box.offer("e") and box.pop() == "e"


def test_replacing_drops_the_backlog_for_one_frame() -> None:
    box = Outbox(2)
    box.offer("old-1")
    box.offer("old-2")
    box.replace("snapshot")
    assert len(box) == 1 and box.pop() == "snapshot"
    with pytest.raises(ValueError, match="at least one"):
        Outbox(0)


async def test_a_waiting_sender_wakes_on_the_next_frame_and_a_cancelled_one_leaves_no_waiter() -> (
    None
):
    box = Outbox(4)
    waiting = asyncio.create_task(box.wait())
    await asyncio.sleep(0)
    assert not waiting.done()
    box.offer("x")
    await asyncio.wait_for(waiting, 1)
    assert box.pop() == "x"
    stuck = asyncio.create_task(box.wait())
    await asyncio.sleep(0)
    stuck.cancel()
    await asyncio.gather(stuck, return_exceptions=True)
    assert box.offer("y")  # no stale waiter to resolve
    await asyncio.wait_for(box.wait(), 1)  # returns at once: a frame is queued


class _Socket(SubscribingSocket):
    def __init__(self, *, stuck: bool = False, fail_after: int | None = None) -> None:
        super().__init__({"type": "subscribe", "venue": V, "format": "compact"})
        self.stuck = stuck
        self.fail_after = fail_after

    async def send_text(self, text: str) -> None:
        if self.stuck and self.sent:  # hello went out, then the network stalls for good
            await asyncio.Event().wait()
        if self.fail_after is not None and len(self.sent) >= self.fail_after:
            raise ConnectionResetError("the peer went away")
        self.sent.append(text)


async def test_a_stuck_client_stays_bounded_and_never_delays_the_others() -> None:
    twin = TwinService([load_sample(V)])
    hub = Hub(twin, client_queue=4)
    stuck, fast = _Socket(stuck=True), _Socket()
    tasks = [asyncio.create_task(hub.serve(s, ME)) for s in (stuck, fast)]  # type: ignore[arg-type]
    await asyncio.sleep(0.02)
    for i in range(40):
        twin.apply_readings([Reading(V, "gallery-a-temp", 100.0 + i, 20.0 + i / 10)])
        hub.flush(100.05 + i)
        await asyncio.sleep(0)
    await asyncio.sleep(0.02)
    # The fast client got every tick's delta, whatever the stuck one does.
    types = [json.loads(t)["type"] for t in fast.sent]
    assert types == ["hello", "snapshot"] + ["delta"] * 40
    assert hub.stats.resyncs >= 1
    stuck_client = next(c for c in hub._clients if id(c.ws) == id(stuck))
    assert len(stuck_client.outbox) <= 4  # bounded: never 40 frames
    for t in tasks:
        t.cancel()
    await asyncio.gather(*tasks, return_exceptions=True)


async def test_a_client_whose_socket_fails_stops_getting_frames_and_the_tick_goes_on() -> None:
    twin = TwinService([load_sample(V)])
    hub = Hub(twin, heartbeat_s=0.0)  # every tick also offers every client a heartbeat
    # Fails at its first heartbeat, while the hub walks its clients for heartbeats.
    failing, fast = _Socket(fail_after=3), _Socket()
    tasks = [asyncio.create_task(hub.serve(s, ME)) for s in (failing, fast)]  # type: ignore[arg-type]
    await asyncio.sleep(0.02)
    for i in range(5):
        twin.apply_readings([Reading(V, "gallery-a-temp", 100.0 + i, 20.0 + i)])
        hub.flush(100.05 + i)  # raises nothing although one socket fails mid-tick
        await asyncio.sleep(0)
    assert [json.loads(t)["type"] for t in failing.sent] == ["hello", "snapshot", "delta"]
    deltas = [json.loads(t) for t in fast.sent if json.loads(t)["type"] == "delta"]
    # Every tick reached the other client (the data clock stamps live frames).
    assert len(deltas) == 5
    for t in tasks:
        t.cancel()
    await asyncio.gather(*tasks, return_exceptions=True)
