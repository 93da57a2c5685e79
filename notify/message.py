# ruff: noqa: RUF001  (the Chinese labels use full-width punctuation on purpose)
"""What a notice says: one alarm event (or a digest of several) in one language."""

from __future__ import annotations

import enum
import uuid
from dataclasses import dataclass, field

from twin.alarms import Alarm
from twin.alarms.texts import format_duration, format_time, render

__all__ = ["Event", "Notice", "Rendered", "render_notice"]


class Event(enum.StrEnum):
    RAISED = "raised"
    ESCALATED = "escalated"
    CLEARED = "cleared"
    DIGEST = "digest"


@dataclass(frozen=True, slots=True)
class Notice:
    """One thing to tell one channel: an alarm event, or a digest of alarm events."""

    event: Event
    alarms: tuple[Alarm, ...]
    venue_name: str
    tz: str
    ts: float
    # Receivers deduplicate retried deliveries on this id.
    delivery_id: str = field(default_factory=lambda: uuid.uuid4().hex)
    link: str | None = None

    @property
    def alarm(self) -> Alarm:
        return self.alarms[0]


@dataclass(frozen=True, slots=True)
class Rendered:
    """A notice in one language: a subject line, plain-text lines, and a colour hint."""

    subject: str
    lines: tuple[str, ...]
    severity: str

    @property
    def text(self) -> str:
        return "\n".join(self.lines)


_LABELS = {
    "en": {
        "raised": "raised",
        "escalated": "still unacknowledged",
        "cleared": "cleared",
        "digest": "daily digest",
        "info": "INFO",
        "warning": "WARNING",
        "critical": "CRITICAL",
        "source": "Source",
        "kind": "Kind",
        "raised_at": "Raised",
        "cleared_at": "Cleared",
        "open_for": "Unacknowledged for",
        "count": "Reported",
        "times": "times",
        "alarms": "alarms",
        "link": "Open in the twin",
    },
    "zh-CN": {
        "raised": "报警",
        "escalated": "仍未确认",
        "cleared": "已解除",
        "digest": "每日汇总",
        "info": "提示",
        "warning": "警告",
        "critical": "严重",
        "source": "来源",
        "kind": "类型",
        "raised_at": "报警时间",
        "cleared_at": "解除时间",
        "open_for": "未确认时长",
        "count": "上报",
        "times": "次",
        "alarms": "条报警",
        "link": "在孪生系统中打开",
    },
}


_KINDS_ZH = {
    "threshold": "阈值",
    "offline": "离线",
    "capacity": "承载量",
    "alarm_flood": "报警泛滥",
    "anomaly.spike": "异常：尖峰",
    "anomaly.level_shift": "异常：水平突变",
    "anomaly.drift": "异常：漂移",
    "anomaly.stuck": "异常：数值卡滞",
    "anomaly.dropout": "异常：数据中断",
    "anomaly.out_of_range": "异常：超出物理范围",
    "anomaly.zone_disagreement": "异常：与同区传感器不一致",
}


def _kind(kind: str, lang: str) -> str:
    """The alarm kind in words (rule kinds keep their rule id)."""
    if lang == "zh-CN":
        if kind.startswith("rule."):
            return f"规则 {kind.removeprefix('rule.')}"
        return _KINDS_ZH.get(kind, kind)
    return kind


def _message(a: Alarm, lang: str, tz: str) -> str:
    return render(a.text, lang, tz) if a.text is not None else a.message


def render_notice(n: Notice, lang: str) -> Rendered:
    """The notice's subject and body in ``lang`` (``en``, ``zh-CN``), in the venue's time."""
    lb = _LABELS.get(lang, _LABELS["en"])
    sep = "：" if lang == "zh-CN" else ": "
    if n.event is Event.DIGEST:
        worst = max(n.alarms, key=lambda a: a.severity.rank) if n.alarms else None
        subject = f"[venue-twin] {n.venue_name} {lb['digest']}{sep}{len(n.alarms)} {lb['alarms']}"
        lines = [subject, ""]
        for a in n.alarms:
            lines.append(
                f"- {format_time(a.raised_at, n.tz)} {lb[a.severity.value]} {a.source}{sep}"
                f"{_message(a, lang, n.tz)}"
            )
        return Rendered(subject, tuple(lines), worst.severity.value if worst else "info")
    a = n.alarm
    subject = (
        f"[venue-twin] {lb[a.severity.value]} {lb[n.event.value]}{sep}{a.source} "
        f"({_kind(a.kind, lang)}), {n.venue_name}"
    )
    lines = [
        _message(a, lang, n.tz),
        "",
        f"{lb['source']}{sep}{a.source}",
        f"{lb['kind']}{sep}{_kind(a.kind, lang)}",
        f"{lb['raised_at']}{sep}{format_time(a.raised_at, n.tz)}",
    ]
    if n.event is Event.CLEARED and a.cleared_at is not None:
        lines.append(f"{lb['cleared_at']}{sep}{format_time(a.cleared_at, n.tz)}")
    if n.event is Event.ESCALATED:
        lines.append(f"{lb['open_for']}{sep}{format_duration(n.ts - a.raised_at, lang)}")
    if a.count > 1:
        lines.append(f"{lb['count']}{sep}{a.count} {lb['times']}")
    if n.link:
        lines.append(f"{lb['link']}{sep}{n.link}")
    return Rendered(subject, tuple(lines), a.severity.value)
