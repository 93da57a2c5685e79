"""bench/faults.py's zone events: pooled over seeds, each seed's detections its own."""

from __future__ import annotations

import argparse

import pytest

from bench import faults
from bench.fault_cache import zone_events
from bench.faults import T0
from twin.analytics.anomaly.score_tuning import DEFAULT_TUNING

_DAY = 86400.0


def test_the_four_events_follow_the_warm_up() -> None:
    one, three = zone_events(T0 + _DAY), zone_events(T0 + 3 * _DAY)
    assert [e.zone for e in one] == ["gallery-a", "gallery-b", "entrance", "gallery-c"]
    # The same events two days later, each inside the judged days.
    assert [b.start - a.start for a, b in zip(one, three, strict=True)] == [2 * _DAY] * 4
    assert all(e.start >= T0 + 3 * _DAY for e in three)


def test_events_pool_over_seeds_and_each_seed_is_judged_on_its_own(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    warm = 3 * _DAY
    door = zone_events(T0 + warm)[0]  # gallery-a, door open for an hour
    # Seed 1 misreads the door as a spike; seed 2 raises one drift a day later.
    found = {
        1: [("gallery-a-rh", "spike", door.start + 60.0)],
        2: [("gallery-a-temp", "drift", door.end + _DAY)],
    }

    def run(plan: object, seconds: float, seed: int, events: object, **_: object) -> object:
        return [], found[seed], 10

    monkeypatch.setattr(faults, "_run", run)
    args = argparse.Namespace(cache=None, excursion_gaps=None, early_distrust=None)
    assert faults._zone_events([1, 2], warm, args, DEFAULT_TUNING) == 20
    out = capsys.readouterr().out
    assert "events misread as sensor faults: 1 of 8" in out
    assert "sensor-fault detections outside the events (false alarms): 1" in out
    assert "2:gallery-a-temp:drift" in out  # tagged with its seed
