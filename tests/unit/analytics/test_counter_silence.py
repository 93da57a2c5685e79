"""A gate counter that stops counting while the venue's others count is reported, and only then."""

from __future__ import annotations

import math

from tests.unit.analytics.counter_traffic import SHARES, T0, traffic
from twin.alarms.texts import render
from twin.analytics.anomaly import Detection, DetectionKind
from twin.analytics.anomaly.counter_silence import CounterSilence, bound
from twin.live_analytics.anomalies import AnomalyWatch
from twin.loader import load_sample

DAY = 86400.0
DAY5 = T0 + 4 * DAY  # four days learnt


def _run(
    days: float, seed: int, frozen: dict[str, tuple[float, float]] | None = None
) -> tuple[CounterSilence, list[Detection], list[tuple[str, float]]]:
    watch = CounterSilence(dict.fromkeys(SHARES, 10.0))
    found: list[Detection] = []
    resumed: list[tuple[str, float]] = []
    for sensor, ts, value in traffic(days, seed, frozen=frozen):
        verdict = watch.update(sensor, ts, value)
        if isinstance(verdict, Detection):
            found.append(verdict)
        elif verdict is True:
            resumed.append((sensor, ts))
    return watch, found, resumed


def test_the_bound_is_the_accepted_false_alarms_per_counter_year() -> None:
    # R exp(-z) = a with R the readings of a year: 3.15 million at 10 s.
    z = bound(10.0, 0.1)
    assert math.isclose(365 * 86400 / 10.0 * math.exp(-z), 0.1)
    assert 17.0 < z < 17.5
    assert bound(60.0, 0.1) < z  # fewer runs a year, a lower bar


def test_working_counters_among_busy_ones_never_report_over_a_week() -> None:
    for seed in (0, 1):
        _, found, _ = _run(7.0, seed)
        assert found == []


def test_a_stopped_counter_is_reported_within_the_crossings_it_should_have_seen() -> None:
    start = DAY5 + 11 * 3600.0
    watch, found, resumed = _run(5.0, 2, {"a": (start, start + 3 * 3600.0)})
    assert [d.sensor for d in found] == ["a"]
    d = found[0]
    assert d.kind is DetectionKind.STUCK
    assert start < d.ts < start + 3600.0  # at midday it shares a third of the crossings
    assert d.text is not None and d.text.key == "anomaly.stuck.counter"
    others = float(d.text.params["others"])
    expected = float(d.text.params["expected"])
    # It would have counted 'expected' of the 'others'; the bar is about bound x
    # the clustering (D about 4 here), so it is reached within a few times that.
    assert 17.3 <= expected <= 6 * 17.3
    assert others > expected
    assert "人次" in render(d.text, "zh-CN")
    # It clears when it counts again, at the window's end.
    assert resumed and resumed[0][0] == "a"
    assert start + 3 * 3600.0 <= resumed[0][1] < start + 3 * 3600.0 + 600.0
    assert not watch.stopped("a")


def test_a_counter_stopped_over_night_is_not_reported() -> None:
    # Stopped after closing until the next morning: nobody crossed anywhere.
    start = DAY5 + 17.5 * 3600.0
    _, found, _ = _run(5.0 + 14.5 / 24, 3, {"a": (start, start + 14 * 3600.0)})
    assert found == []


def test_a_rarely_used_door_that_stops_is_not_reported() -> None:
    # A staff door with about one crossing in 300: a whole day without one proves nothing.
    start = DAY5 + 8 * 3600.0
    watch, found, _ = _run(6.0, 4, {"rare": (start, start + 30 * 3600.0)})
    assert found == []
    assert not watch.stopped("rare")


def test_a_new_detector_judges_nothing_before_it_has_seen_days_of_traffic() -> None:
    # Its first day's half-hours have no day-to-day spread yet: a stop then is not judged.
    start = T0 + 11 * 3600.0
    _, found, _ = _run(1.0, 5, {"a": (start, start + 3 * 3600.0)})
    assert found == []


def test_it_names_the_counters_it_watches_in_order() -> None:
    # The anomaly watch asks each of them for its silence (silent_counters).
    assert CounterSilence({"b": 10.0, "a": 60.0}).sensors == ("a", "b")


def test_late_duplicate_and_reset_readings_are_not_counts() -> None:
    watch = CounterSilence({"a": 10.0, "b": 10.0})
    assert watch.update("a", T0, 100.0) is None
    assert watch.update("a", T0, 100.0) is None  # duplicate
    assert watch.update("a", T0 - 10.0, 90.0) is None  # late
    assert watch.update("a", T0 + 10.0, math.nan) is None
    assert watch.update("a", T0 + 20.0, 0.0) is None  # a reset ends the run, quietly
    assert not watch.stopped("a")


def test_anomaly_watch_raises_a_stopped_gate_counter_and_ends_it_when_it_counts() -> None:
    venue = load_sample("museum-wing")
    as_sensor = {
        "in": "gate-main-door",
        "out": "gate-main-door-back",
        "a": "gate-corridor-a",
        "b": "gate-corridor-b",
        "rare": "gate-corridor-c-back",
    }
    watch = AnomalyWatch(venue, active_s=900.0)
    start, end = DAY5 + 11 * 3600.0, DAY5 + 14 * 3600.0
    raised: list[tuple[str, float]] = []
    active_late = False
    cleared: list[tuple[str, float]] = []
    next_tick = T0
    for name, ts, value in traffic(5.0, 6, frozen={"a": (start, end)}):
        result = watch.update(as_sensor[name], ts, value)
        if result is not None:
            raised += [(d.sensor, d.ts) for d in result.detections if d.kind.value == "stuck"]
        if ts >= next_tick:
            next_tick = ts + 60.0
            cleared += [(e.sensor, ts) for e in watch.expire(ts) if e.kind == "stuck"]
            if raised and ts - raised[0][1] > 1800.0 and ts < end:
                # Still stopped, long past active_s: the alarm stays on.
                active_late = active_late or "stuck" in watch.active("gate-corridor-a")
    assert [s for s, _ in raised] == ["gate-corridor-a"]
    assert start < raised[0][1] < start + 3600.0
    assert active_late
    assert [s for s, _ in cleared] == ["gate-corridor-a"]
    assert end <= cleared[0][1] <= end + 180.0


def test_a_door_whose_closing_share_varies_by_day_is_not_judged_at_closing() -> None:
    # A side room's exit counts the room's last visitors at closing on some days
    # and nobody on others (the room emptied earlier), while the main exit counts
    # everyone: the day-to-day spread of that half-hour's share keeps it quiet
    # (with one fixed share, day 5's quiet side door would read as stopped).
    watch = CounterSilence({"side": 10.0, "exit": 10.0})
    count = {"side": 0.0, "exit": 0.0}
    found = []
    for day in range(7):
        for k in range(0, 86400, 20):
            ts = T0 + day * DAY + k
            if 17 * 3600 <= k < 17.25 * 3600:
                count["exit"] += 10.0
                count["side"] += 5.0 if day % 2 == 0 else 0.0
            for sensor, value in count.items():
                if isinstance(watch.update(sensor, ts, value), Detection):
                    found.append((sensor, day))
    assert found == []
    assert watch.share("side", 17 * 3600.0) > 0.1  # it did learn a share for that half-hour
