"""``venue-twin demo --speed N``: the past day at N times, then live, with one set of options.

Both phases must drive the simulator alike (seed, hours, payload format, the
shift to the chosen local hour, a warm start with the crowd's head count);
only the speed and the fast phase's one-day duration differ.
"""

from __future__ import annotations

import argparse
import asyncio
from typing import Any

import pytest

from twin.loader import load_sample
from venue_twin import commands_demo


@pytest.mark.parametrize("speed", [1.0, 60.0])
async def test_the_fast_day_and_the_live_run_share_their_options(
    monkeypatch: pytest.MonkeyPatch, speed: float
) -> None:
    calls: list[dict[str, Any]] = []

    async def fake_run(venue: Any, **kwargs: Any) -> None:
        calls.append({"venue": venue.id, **kwargs})

    monkeypatch.setattr(commands_demo, "run_simulation", fake_run)
    args = argparse.Namespace(
        speed=speed, seed=7, hours="08:00-18:00", format="zigbee2mqtt", local_hour=None
    )
    venue = load_sample("museum-wing")
    await commands_demo._simulate_demo(venue, 1883, args, asyncio.Event())
    assert [c["speed"] for c in calls] == ([60.0, 1.0] if speed > 1 else [1.0])
    assert [c.get("duration_s") for c in calls] == ([86_400.0, None] if speed > 1 else [None])
    for c in calls:
        assert c["venue"] == "museum-wing"
        assert (c["seed"], c["hours"], c["payload_format"]) == (7, "08:00-18:00", "zigbee2mqtt")
        assert (c["warm_start"], c["local_shift_s"]) == (True, 0.0)
        assert c["mqtt_config"].port == 1883 and c["stop_event"] is not None
        assert callable(c["on_start"])


async def test_a_stop_during_the_fast_day_skips_the_live_run(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    stop = asyncio.Event()
    speeds: list[float] = []

    async def fake_run(venue: Any, **kwargs: Any) -> None:
        speeds.append(kwargs["speed"])
        stop.set()

    monkeypatch.setattr(commands_demo, "run_simulation", fake_run)
    args = argparse.Namespace(speed=60.0, seed=0, hours="00:00-24:00", format=None, local_hour=None)
    await commands_demo._simulate_demo(load_sample("museum-wing"), 1883, args, stop)
    assert speeds == [60.0]
