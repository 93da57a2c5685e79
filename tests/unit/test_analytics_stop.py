"""The analytics task stops when cancelled, even if an action arrives at that moment.

On Python 3.11, ``asyncio.wait_for`` returns the inner result when the
inner future completes in the same loop turn as the outer cancellation,
and the cancellation is lost (CPython gh-86296, fixed in 3.12). The
analytics loop waited for its next action that way, so an alarm queued as
the platform shut down could leave it running for ever, and the shutdown
waiting on it.
"""

from __future__ import annotations

import asyncio

from twin.alarm_stores.memory import MemoryAlarmStore
from twin.alarms import AlarmManager
from twin.live_analytics import AnalyticsService
from twin.live_analytics.service import _Clear
from twin.loader import load_sample


async def test_a_cancel_that_meets_an_arriving_action_still_stops_the_loop() -> None:
    venue = load_sample("museum-wing")
    service = AnalyticsService([venue], AlarmManager(MemoryAlarmStore()))
    task = asyncio.create_task(service.run(tick_interval_s=60.0))
    await asyncio.sleep(0.01)  # the loop is waiting for its next action
    # In one loop turn: an action arrives, then the platform cancels the task.
    service._queue.put_nowait(_Clear(venue.id, "entrance-temp", "anomaly", 0.0))
    task.cancel()
    done, _ = await asyncio.wait({task}, timeout=2.0)
    assert task in done and task.cancelled()
    await service.close()
