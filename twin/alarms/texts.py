# ruff: noqa: RUF001  (the Chinese catalogue uses full-width punctuation on purpose)
"""Alarm texts an operator can read, in English and Simplified Chinese.

An alarm carries its text as a message key and typed parameters
(:class:`AlarmText`), so every output (the viewer, notifications, reports)
renders it in its own language; ``Alarm.message`` keeps the English rendering
for logs and older clients.

Parameters are formatted by their name, the same convention the browser's
catalogue follows (``viewer/web/src/i18n``):

- ``..._s``: a duration in seconds, shown as ``24 h 0 min`` / ``24 小时 0 分``;
- ``..._at``: an epoch time, shown as a local time in the venue's time zone;
- ``..._pct``: a percentage, whole numbers;
- ``unit``: the unit after one space (``21 °C``), translated where it is a word;
- other numbers: fixed-point with about three significant digits, never in
  scientific notation;
- strings: as they are.
"""

from __future__ import annotations

import datetime as dt
import json
import math
import string
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Literal
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

__all__ = [
    "CATALOGUES",
    "AlarmText",
    "Language",
    "catalogue_json",
    "format_duration",
    "format_number",
    "format_time",
    "render",
    "text_from_json",
    "text_to_json",
]

Language = Literal["en", "zh-CN"]
Param = str | float | int


@dataclass(frozen=True, slots=True)
class AlarmText:
    """A message key of the catalogue and its parameters."""

    key: str
    params: Mapping[str, Param] = field(default_factory=dict)


EN: dict[str, str] = {
    "threshold.above_alarm": "{sensor} reads {value}{unit}, above its alarm limit {limit}{unit}",
    "threshold.below_alarm": "{sensor} reads {value}{unit}, below its alarm limit {limit}{unit}",
    "threshold.above_warning": (
        "{sensor} reads {value}{unit}, above its warning limit {limit}{unit}"
    ),
    "threshold.below_warning": (
        "{sensor} reads {value}{unit}, below its warning limit {limit}{unit}"
    ),
    "offline": "{sensor} ({sensor_kind}) reports offline",
    "alarm_flood": (
        "alarm flood: {suppressed} further alarms grouped here after {max_new} in "
        "{window_s}; latest {latest_kind} on {latest_source}"
    ),
    "capacity.warning": (
        "{zone}: {occupancy} visitors, {ratio_pct} % of its instantaneous carrying "
        "capacity {capacity} (LB/T 034-2014)"
    ),
    "capacity.full": (
        "{zone}: {occupancy} visitors, {ratio_pct} % of its instantaneous carrying "
        "capacity {capacity} (LB/T 034-2014): at capacity"
    ),
    "anomaly.spike.above": (
        "reading {value}{unit} is {sigma} sigma above the readings around it "
        "({level}{unit}; noise ±{noise}{unit})"
    ),
    "anomaly.spike.below": (
        "reading {value}{unit} is {sigma} sigma below the readings around it "
        "({level}{unit}; noise ±{noise}{unit})"
    ),
    "anomaly.level_shift.up": (
        "level shifted up from {before}{unit} to {value}{unit} ({sigma} sigma; "
        "noise ±{noise}{unit})"
    ),
    "anomaly.level_shift.down": (
        "level shifted down from {before}{unit} to {value}{unit} ({sigma} sigma; "
        "noise ±{noise}{unit})"
    ),
    "anomaly.drift": (
        "drifted {change}{unit} ({sigma} sigma) from {anchor}{unit} over {period_s} "
        "({rate}{unit}/h) without a step or spike"
    ),
    "anomaly.drift.neighbours": (
        "drifted {change}{unit} ({sigma} sigma) against the median of {neighbours} other "
        "sensors of its kind over {period_s} ({rate}{unit}/h)"
    ),
    "anomaly.stuck": (
        "value stuck at {value}{unit} for {readings} readings although it normally "
        "changes on {activity_pct} % of readings"
    ),
    "anomaly.stuck.counter": (
        "count stopped at {value} since {since_at} while the venue's other counters counted "
        "{others} crossings; working, it would have counted about {expected} of them: "
        "the beam may be blocked or misaligned"
    ),
    "anomaly.dropout": (
        "no reading for {gap_s} (expected every {expected_s}); silent since {since_at}"
    ),
    "anomaly.out_of_range.above": (
        "reading {value}{unit} is above the physical maximum {bound}{unit}: the sensor "
        "or its wiring is faulty"
    ),
    "anomaly.out_of_range.below": (
        "reading {value}{unit} is below the physical minimum {bound}{unit}: the sensor "
        "or its wiring is faulty"
    ),
    "anomaly.zone_disagreement": (
        "reads {value}{unit} while the {others} other {sensor_kind} sensors agree on "
        "{median}{unit} (±{spread}{unit}), {sigma} robust sigma apart for {readings} "
        "readings: the sensor is suspect, not the room"
    ),
    "anomaly.zone_disagreement.zone": (
        "reads {value}{unit} while the {others} other {sensor_kind} sensors in zone {zone} "
        "agree on {median}{unit} (±{spread}{unit}), {sigma} robust sigma apart for "
        "{readings} readings: the sensor is suspect, not the room"
    ),
    "rule": "{text}",
}

ZH: dict[str, str] = {
    "threshold.above_alarm": "{sensor} 读数 {value}{unit}，高于报警上限 {limit}{unit}",
    "threshold.below_alarm": "{sensor} 读数 {value}{unit}，低于报警下限 {limit}{unit}",
    "threshold.above_warning": "{sensor} 读数 {value}{unit}，高于预警上限 {limit}{unit}",
    "threshold.below_warning": "{sensor} 读数 {value}{unit}，低于预警下限 {limit}{unit}",
    "offline": "{sensor}（{sensor_kind}）报告离线",
    "alarm_flood": (
        "报警泛滥：{window_s} 内已有 {max_new} 条报警，另有 {suppressed} 条合并于此；"
        "最新为 {latest_source} 的 {latest_kind}"
    ),
    "capacity.warning": (
        "{zone}：游客 {occupancy} 人，达到瞬时承载量 {capacity} 人的 {ratio_pct} %（LB/T 034-2014）"
    ),
    "capacity.full": (
        "{zone}：游客 {occupancy} 人，达到瞬时承载量 {capacity} 人的 {ratio_pct} %"
        "（LB/T 034-2014），已满"
    ),
    "anomaly.spike.above": (
        "读数 {value}{unit} 高于前后读数 {level}{unit} {sigma} 个标准差（噪声 ±{noise}{unit}）"
    ),
    "anomaly.spike.below": (
        "读数 {value}{unit} 低于前后读数 {level}{unit} {sigma} 个标准差（噪声 ±{noise}{unit}）"
    ),
    "anomaly.level_shift.up": (
        "水平由 {before}{unit} 上移至 {value}{unit}（{sigma} 个标准差；噪声 ±{noise}{unit}）"
    ),
    "anomaly.level_shift.down": (
        "水平由 {before}{unit} 下移至 {value}{unit}（{sigma} 个标准差；噪声 ±{noise}{unit}）"
    ),
    "anomaly.drift": (
        "在 {period_s} 内自 {anchor}{unit} 漂移 {change}{unit}（{sigma} 个标准差，"
        "{rate}{unit}/小时），无阶跃或尖峰"
    ),
    "anomaly.drift.neighbours": (
        "在 {period_s} 内相对其余 {neighbours} 个同类传感器的中位数漂移 {change}{unit}"
        "（{sigma} 个标准差，{rate}{unit}/小时）"
    ),
    "anomaly.stuck": (
        "数值卡在 {value}{unit} 已 {readings} 个读数，而平时 {activity_pct} % 的读数会变化"
    ),
    "anomaly.stuck.counter": (
        "计数自 {since_at} 起停在 {value}，其间本场所其他计数器共计 {others} 人次，"
        "按平时份额应计约 {expected} 人次：光束可能被遮挡或错位"
    ),
    "anomaly.dropout": "已 {gap_s} 无读数（应每 {expected_s} 一次）；自 {since_at} 起静默",
    "anomaly.out_of_range.above": (
        "读数 {value}{unit} 高于物理上限 {bound}{unit}：传感器或其接线故障"
    ),
    "anomaly.out_of_range.below": (
        "读数 {value}{unit} 低于物理下限 {bound}{unit}：传感器或其接线故障"
    ),
    "anomaly.zone_disagreement": (
        "读数 {value}{unit}，而其他 {others} 个 {sensor_kind} 传感器一致为 {median}{unit}"
        "（±{spread}{unit}），相差 {sigma} 个稳健标准差已 {readings} 个读数："
        "应怀疑传感器，而非环境"
    ),
    "anomaly.zone_disagreement.zone": (
        "读数 {value}{unit}，而区域 {zone} 内其他 {others} 个 {sensor_kind} 传感器一致为 "
        "{median}{unit}（±{spread}{unit}），相差 {sigma} 个稳健标准差已 {readings} 个读数："
        "应怀疑传感器，而非环境"
    ),
    "rule": "{text}",
}

CATALOGUES: dict[str, dict[str, str]] = {"en": EN, "zh-CN": ZH}

# Enumerated parameter values that are words, not names or symbols.
_TERMS: dict[str, dict[str, dict[str, str]]] = {
    "zh-CN": {
        "sensor_kind": {
            "temperature": "温度",
            "humidity": "湿度",
            "co2": "二氧化碳",
            "lux": "照度",
            "people_count": "人数",
            "people_tracker": "人员跟踪",
            "gate_counter": "闸机计数",
            "vibration": "振动",
            "uv": "紫外",
            "same-kind": "同类",
        },
        "unit": {"people": "人"},
    }
}

_UNITS = {
    "en": {"d": "d", "h": "h", "min": "min", "s": "s"},
    "zh-CN": {"d": "天", "h": "小时", "min": "分", "s": "秒"},
}


def format_number(x: float) -> str:
    """About three significant digits in fixed point; whole numbers stay whole.

    >>> format_number(86380.0), format_number(21.456), format_number(0.01234)
    ('86380', '21.5', '0.0123')
    """
    if not math.isfinite(x):
        return str(x)
    if x == int(x) and abs(x) < 1e18:
        return str(int(x))
    magnitude = math.floor(math.log10(abs(x)))
    decimals = min(6, max(0, 2 - magnitude))
    text = f"{x:.{decimals}f}"
    if "." in text:
        text = text.rstrip("0").rstrip(".")
    return "0" if text in ("-0", "") else text


def format_duration(seconds: float, lang: str = "en") -> str:
    """``45 s``, ``12 min 5 s``, ``24 h 0 min``, ``3 d 4 h`` (or the Chinese units)."""
    u = _UNITS.get(lang, _UNITS["en"])
    if not math.isfinite(seconds):
        return str(seconds)
    s = max(0.0, seconds)
    if s < 60.0:
        return f"{format_number(round(s, 1) if s < 10 else round(s))} {u['s']}"
    total = round(s)
    if total < 3600:
        return f"{total // 60} {u['min']} {total % 60} {u['s']}"
    minutes = round(s / 60.0)
    if minutes < 48 * 60:
        return f"{minutes // 60} {u['h']} {minutes % 60} {u['min']}"
    hours = round(s / 3600.0)
    return f"{hours // 24} {u['d']} {hours % 24} {u['h']}"


def format_time(epoch: float, tz: str = "UTC") -> str:
    """A local time in ``tz``: ``2026-12-04 18:31:05 CST`` (unknown zones fall back to UTC)."""
    try:
        zone: dt.tzinfo = ZoneInfo(tz)
    except (ZoneInfoNotFoundError, ValueError):
        zone = dt.UTC
    when = dt.datetime.fromtimestamp(epoch, zone)
    return when.strftime("%Y-%m-%d %H:%M:%S %Z")


class _Missing(dict[str, str]):
    def __missing__(self, key: str) -> str:
        return "{" + key + "}"


def _format_param(name: str, value: Param, lang: str, tz: str) -> str:
    if isinstance(value, str):
        shown = _TERMS.get(lang, {}).get(name, {}).get(value.strip(), value.strip())
        if name == "unit":
            return f" {shown}" if shown else ""  # "21 °C", "13 people": one space before
        return _TERMS.get(lang, {}).get(name, {}).get(value, value)
    if name.endswith("_s"):
        return format_duration(float(value), lang)
    if name.endswith("_at"):
        return format_time(float(value), tz)
    if name.endswith("_pct"):
        return str(round(float(value)))
    return format_number(float(value))


def render(text: AlarmText, lang: str = "en", tz: str = "UTC") -> str:
    """The text in ``lang`` (English when the language or key is unknown)."""
    catalogue = CATALOGUES.get(lang, EN)
    template = catalogue.get(text.key) or EN.get(text.key)
    if text.key == "rule" and f"text.{lang}" in text.params:
        return str(text.params[f"text.{lang}"])  # the venue file's own translation
    if template is None:
        template = text.key + "".join(f" {k}={{{k}}}" for k in sorted(text.params))
    values = _Missing({k: _format_param(k, v, lang, tz) for k, v in text.params.items()})
    return string.Formatter().vformat(template, (), values)


def catalogue_json() -> str:
    """Both catalogues and the term translations as JSON, for the browser's copy.

    ``viewer/web/src/i18n/alarm-texts.json`` is this output (a test keeps it
    current): ``python -c "from twin.alarms.texts import catalogue_json as c; print(c())"``.
    """
    data = {"catalogues": CATALOGUES, "terms": _TERMS}
    return json.dumps(data, ensure_ascii=False, indent=1, sort_keys=True) + "\n"


def text_to_json(text: AlarmText | None) -> str:
    if text is None:
        return ""
    return json.dumps({"key": text.key, "params": dict(text.params)}, ensure_ascii=False)


def text_from_json(raw: str | None) -> AlarmText | None:
    """The stored form back; ``None`` for alarms stored before texts had keys."""
    if not raw:
        return None
    data = json.loads(raw) if isinstance(raw, str) else raw
    params = {
        str(k): v for k, v in data.get("params", {}).items() if isinstance(v, str | int | float)
    }
    return AlarmText(str(data["key"]), params)
