# ruff: noqa: RUF001  (Chinese texts use full-width punctuation)
"""Every alarm kind's text reads well: no epoch seconds, no scientific notation,
durations in hours and minutes, times in the venue's zone, English and Chinese."""

from __future__ import annotations

import re
import string

import numpy as np
import pytest

from ingest.contract import Reading, SensorStatus, StatusEvent
from twin.alarm_stores.memory import MemoryAlarmStore
from twin.alarms import Alarm, AlarmManager, FloodPolicy, Severity
from twin.alarms.texts import (
    CATALOGUES,
    AlarmText,
    format_duration,
    format_number,
    format_time,
    render,
)
from twin.analytics.anomaly import DetectionKind, DetectorConfig, SensorDetector
from twin.analytics.anomaly.consensus import ConsensusConfig, ZoneConsensus
from twin.analytics.crowd import CapacityLevel
from twin.analytics.crowd.density import LevelOfService, SafetyBand
from twin.live_analytics.results import ZoneCrowd
from twin.live_analytics.service import capacity_text
from twin.loader import load_sample
from twin.service import TwinService
from twin.threshold_alarms import ThresholdAlarms

# The scenic-site demo's numbers from issue 17: a day of silence seen at epoch 1.796e9.
SILENT_SINCE = 1_796_284_316.0
STEP = 10.0
TZ = "Asia/Shanghai"

_EPOCH = re.compile(r"\b1[0-9]{9}\b")  # ten-digit epoch seconds
_SCIENTIFIC = re.compile(r"\d[eE][+-]?\d")
_PLACEHOLDER = re.compile(r"\{[a-z_]+\}")
_LATIN_WORD = re.compile(r"\b[a-z]{3,}\b")  # English words left in a Chinese text


def _readable(text: str) -> None:
    assert not _EPOCH.search(text), text
    assert not _SCIENTIFIC.search(text), text
    assert not _PLACEHOLDER.search(text), text
    assert "nan" not in text.split(), text


def _fields(template: str) -> set[str]:
    return {f for _, f, _, _ in string.Formatter().parse(template) if f}


def test_duration_time_and_number_formats() -> None:
    assert format_duration(86_400.0) == "24 h 0 min"
    assert format_duration(86_380.0) == "24 h 0 min"
    assert format_duration(86_400.0, "zh-CN") == "24 小时 0 分"
    assert format_duration(725.0) == "12 min 5 s"
    assert format_duration(10.0) == "10 s"
    assert format_duration(2.5) == "2.5 s"
    assert format_duration(3 * 86_400 + 4 * 3_600) == "3 d 4 h"
    assert format_number(86_380.0) == "86380"
    assert format_number(1.23456e12) == "1234560000000"
    assert format_number(0.0001234) == "0.000123"
    assert format_number(21.456) == "21.5"
    assert format_number(-3.0) == "-3"
    # 1796284316 is 2026-12-03 07:51:56 UTC, 15:51:56 in Shanghai (UTC+8).
    assert format_time(SILENT_SINCE, TZ) == "2026-12-03 15:51:56 CST"
    assert format_time(SILENT_SINCE, "Europe/London") == "2026-12-03 07:51:56 GMT"
    assert format_time(SILENT_SINCE, "Not/AZone") == "2026-12-03 07:51:56 UTC"


def test_both_catalogues_have_every_key_with_the_same_fields() -> None:
    en, zh = CATALOGUES["en"], CATALOGUES["zh-CN"]
    assert set(en) == set(zh)
    for key in en:
        assert _fields(en[key]) == _fields(zh[key]), key


def test_an_unknown_key_still_shows_its_parameters() -> None:
    text = render(AlarmText("future.kind", {"gap_s": 7200.0, "value": 1e20}))
    assert text == "future.kind gap_s=2 h 0 min value=100000000000000000000"


def test_a_day_long_dropout_reads_as_hours_and_a_local_time() -> None:
    detector = SensorDetector(DetectorConfig(sensor="gate-3", expected_interval=STEP))
    for i in range(10):
        detector.update(SILENT_SINCE - (9 - i) * STEP, 20.0 + (i % 3))
    found = detector.check_silence(SILENT_SINCE + 86_380.0)
    assert found is not None and found.text is not None
    assert render(found.text, "en", TZ) == (
        "no reading for 24 h 0 min (expected every 10 s); silent since 2026-12-03 15:51:56 CST"
    )
    assert render(found.text, "zh-CN", TZ) == (
        "已 24 小时 0 分 无读数（应每 10 秒 一次）；自 2026-12-03 15:51:56 CST 起静默"
    )


def _detections() -> dict[str, list[AlarmText]]:
    """Each anomaly kind produced by the real detectors, at epoch-sized times."""
    rng = np.random.default_rng(3)
    t0 = SILENT_SINCE
    out: dict[str, list[AlarmText]] = {}

    def run(values: np.ndarray, config: DetectorConfig, step: float = 60.0) -> None:
        det = SensorDetector(config)
        for i, v in enumerate(values.tolist()):
            for d in det.update(t0 + i * step, v):
                assert d.text is not None
                out.setdefault(d.kind.value, []).append(d.text)

    base = 20.0 + rng.normal(0.0, 0.2, 3000)
    spikes = base[:400].copy()
    spikes[250] += 5.0
    spikes[320] -= 5.0
    run(spikes, DetectorConfig(sensor="t1", unit=" °C"))
    shift = base[:600].copy()
    shift[300:] += 2.0
    run(shift, DetectorConfig(sensor="t1", unit=" °C"))
    ramp = base.copy()
    ramp[200:] += 0.002 * np.arange(2800)
    run(ramp, DetectorConfig(sensor="t1", unit=" °C"))
    stuck = base[:400].copy()
    stuck[200:300] = 20.0
    run(stuck, DetectorConfig(sensor="t1", unit=" °C"))
    wild = base[:200].copy()
    wild[150] = 150.0
    wild[160] = -90.0
    run(wild, DetectorConfig(sensor="t1", unit=" °C", physical_min=-40.0, physical_max=85.0))
    gap = DetectorConfig(sensor="t1", expected_interval=60.0)
    det = SensorDetector(gap)
    for i in range(20):
        det.update(t0 + i * 60.0, 20.0 + (i % 2))
    for d in det.update(t0 + 19 * 60.0 + 90_000.0, 20.0):
        assert d.text is not None
        out.setdefault(d.kind.value, []).append(d.text)
    for zone in ("", "gallery-a"):
        zc = ZoneConsensus(
            ["a", "b", "c", "d"], ConsensusConfig(zone=zone, kind="temperature", unit=" °C")
        )
        for i in range(10):
            ts = t0 + i * 60.0
            for s, v in zip("abc", (20.0, 20.1, 19.9), strict=True):
                zc.update(s, ts, v)
            for d in zc.update("d", ts, 27.0):
                assert d.text is not None
                out.setdefault(d.kind.value, []).append(d.text)
    return out


def test_every_anomaly_kind_has_a_readable_text_in_both_languages() -> None:
    found = _detections()
    assert set(found) == {k.value for k in DetectionKind}
    keys = {t.key for texts in found.values() for t in texts}
    # Both directions of the two-sided kinds, and the zone-less consensus, were seen.
    assert {
        "anomaly.spike.above",
        "anomaly.spike.below",
        "anomaly.out_of_range.above",
        "anomaly.out_of_range.below",
        "anomaly.zone_disagreement",
        "anomaly.zone_disagreement.zone",
    } <= keys
    for texts in found.values():
        for text in texts:
            assert text.key in CATALOGUES["en"], text.key
            _readable(render(text, "en", TZ))
            zh = render(text, "zh-CN", TZ)
            _readable(zh)
            names = [str(text.params[k]) for k in ("zone", "sensor") if k in text.params]
            for name in [*names, " °C"]:
                zh = zh.replace(name, "")  # identifiers and unit symbols stay as they are
            assert not _LATIN_WORD.search(zh), zh


async def _alarms_from_the_twin() -> list[Alarm]:
    venue = load_sample("museum-wing")
    store = MemoryAlarmStore()
    await store.open()
    alarms = AlarmManager(store, flood=FloodPolicy(max_new=3, window_s=60.0))
    twin = TwinService([venue])
    thresholds = ThresholdAlarms([venue], alarms)
    twin.add_listener(thresholds.on_changes)
    t = SILENT_SINCE
    twin.apply_readings([Reading(venue.id, "gallery-a-temp", t, 35.0)])  # above alarm
    twin.apply_readings([Reading(venue.id, "gallery-b-rh", t, 63.0)])  # above warning
    twin.apply_statuses([StatusEvent(venue.id, "gallery-c-co2", SensorStatus.OFFLINE, t)])
    await thresholds.drain()
    # A fourth new alarm within the minute is grouped into a flood alarm.
    await alarms.raise_alarm(venue.id, "x", "anomaly.spike", Severity.WARNING, "x", ts=t + 1)
    return alarms.open_alarms(venue.id)


async def test_threshold_offline_and_flood_alarms_carry_readable_texts() -> None:
    alarms = await _alarms_from_the_twin()
    by_kind = {a.kind: a for a in alarms}
    assert set(by_kind) == {"threshold", "offline", "alarm_flood"}
    for alarm in alarms:
        assert alarm.text is not None
        _readable(alarm.message)
        _readable(render(alarm.text, "zh-CN", TZ))
        assert alarm.message == render(alarm.text, "en", "Europe/London")
    keys = {a.text.key for a in alarms if a.text}
    assert keys == {"threshold.above_alarm", "threshold.above_warning", "offline", "alarm_flood"}
    flood = by_kind["alarm_flood"]
    assert flood.message == (
        "alarm flood: 1 further alarms grouped here after 3 in 1 min 0 s; latest anomaly.spike on x"
    )
    temp = next(a for a in alarms if a.source == "gallery-a-temp")
    assert temp.message == "gallery-a-temp reads 35 °C, above its alarm limit 27 °C"


@pytest.mark.parametrize("level", [CapacityLevel.WARNING, CapacityLevel.FULL])
def test_capacity_text_names_the_standard_in_both_languages(level: CapacityLevel) -> None:
    crowd = ZoneCrowd(
        "hall", SILENT_SINCE, 412.4, 5.0, 1.2, LevelOfService.C, SafetyBand.SAFE, 500, 0.8248, level
    )
    text = capacity_text(crowd)
    en = render(text, "en", TZ)
    assert en.startswith("hall: 412 visitors, 82 % of its instantaneous carrying capacity 500")
    assert "LB/T 034-2014" in en
    zh = render(text, "zh-CN", TZ)
    assert zh.startswith("hall：游客 412 人，达到瞬时承载量 500 人的 82 %")
    _readable(en)
    _readable(zh)


def test_the_browser_has_the_current_alarm_catalogue() -> None:
    from pathlib import Path

    from twin.alarms.texts import catalogue_json

    copy = Path(__file__).parents[2] / "viewer" / "web" / "src" / "i18n" / "alarm-texts.json"
    assert copy.read_text(encoding="utf-8") == catalogue_json(), (
        "regenerate viewer/web/src/i18n/alarm-texts.json (see twin.alarms.texts.catalogue_json)"
    )


def test_a_rule_alarm_shows_the_venue_files_own_translation() -> None:
    from twin.live_analytics.service import _message

    venue = load_sample("museum-wing")
    rule = next(r for r in venue.rules if r.id == "corridor-crowding")
    text = _message(rule, venue.id, "corridor", "E")
    assert render(text, "en") == "Corridor at level of service E: inflow gate closing"
    assert render(text, "zh-CN") == "走廊服务水平为 E：入口闸门关闭中"
    # A number in a rule text is written without scientific notation.
    text = _message(rule, venue.id, "corridor", 86_380.0)
    assert render(text, "en") == "Corridor at level of service 86380: inflow gate closing"


def test_a_unit_reads_after_one_space_and_is_translated_when_a_word() -> None:
    params: dict[str, str | float] = {"before": 13, "value": 14, "unit": "people", "sigma": 2.0}
    text = AlarmText("anomaly.level_shift.up", {**params, "noise": 0.5})
    assert (
        render(text) == "level shifted up from 13 people to 14 people (2 sigma; noise ±0.5 people)"
    )
    assert render(text, "zh-CN").startswith("水平由 13 人 上移至 14 人")
    spaced = AlarmText("anomaly.spike.above", {"value": 0.088, "unit": " mm/s", "sigma": 4.2,
                                               "level": 0.0671, "noise": 0.01})  # fmt: skip
    assert render(spaced).startswith(
        "reading 0.088 mm/s is 4.2 sigma above the readings around it (0.0671 mm/s"
    )
