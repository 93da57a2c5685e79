"""Routing rules: filters, lifecycle deduplication, quiet hours, escalation, digests."""

from __future__ import annotations

import datetime as dt
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from pydantic import ValidationError

from notify.config import NotifyConfig, NotifyConfigError, SecretRef
from notify.message import Event
from notify.router import Router, VenueInfo
from twin.alarm_stores.memory import MemoryAlarmStore
from twin.alarms import AlarmEvent, AlarmManager, Severity

TZ = "Asia/Shanghai"
V = "site"
# 2026-12-03 10:00 in Shanghai
T0 = dt.datetime(2026, 12, 3, 10, 0, tzinfo=ZoneInfo(TZ)).timestamp()
CHANNELS = [{"id": c, "type": "webhook", "url": f"http://127.0.0.1:9/{c}"} for c in "abc"]


def _router(*routes: dict[str, Any], **extra: Any) -> Router:
    cfg = NotifyConfig.model_validate({"channels": CHANNELS, "routes": list(routes), **extra})
    info = {V: VenueInfo("Scenic site", TZ, {"t1": "hall", "t2": "garden"})}
    return Router(cfg, info)


class Clock:
    def __init__(self) -> None:
        self.t = T0

    def __call__(self) -> float:
        return self.t


async def _manager() -> tuple[AlarmManager, list[AlarmEvent], Clock]:
    store = MemoryAlarmStore()
    await store.open()
    clock = Clock()
    alarms = AlarmManager(store, clock=clock)
    events: list[AlarmEvent] = []
    alarms.add_listener(events.append)
    return alarms, events, clock


def _route(router: Router, events: list[AlarmEvent], now: float) -> list[tuple[str, Event]]:
    out: list[tuple[str, Event]] = []
    while events:
        sent, _ = router.on_event(events.pop(0), now)
        out += [(c, n.event) for c, n in sent]
    return out


async def test_filters_by_venue_zone_kind_and_severity() -> None:
    router = _router(
        {"channels": ["a"], "zones": ["hall"], "kinds": ["threshold", "anomaly.*"]},
        {"channels": ["b"], "min_severity": "critical"},
        {"channels": ["c"], "venues": ["elsewhere"]},
    )
    alarms, events, clock = await _manager()
    await alarms.raise_alarm(V, "t1", "anomaly.spike", Severity.WARNING, "x")
    await alarms.raise_alarm(V, "t2", "threshold", Severity.CRITICAL, "x")
    await alarms.raise_alarm(V, "zone:hall", "capacity", Severity.WARNING, "x")
    assert _route(router, events, clock()) == [("a", Event.RAISED), ("b", Event.RAISED)]


async def test_one_notice_when_raised_none_for_repeats_one_when_cleared() -> None:
    router = _router({"channels": ["a"]})
    alarms, events, clock = await _manager()
    for _ in range(5):
        await alarms.raise_alarm(V, "t1", "threshold", Severity.WARNING, "x")
    await alarms.clear(V, "t1", "threshold")
    # Back before anyone acknowledged: the same alarm is raised again, and noticed again.
    await alarms.raise_alarm(V, "t1", "threshold", Severity.WARNING, "x")
    assert _route(router, events, clock()) == [
        ("a", Event.RAISED),
        ("a", Event.CLEARED),
        ("a", Event.RAISED),
    ]


async def test_escalates_once_when_unacknowledged_and_not_after_acknowledgement() -> None:
    router = _router({"channels": ["a"], "escalate_after_min": 15, "escalate_to": ["b", "c"]})
    alarms, events, clock = await _manager()
    first = await alarms.raise_alarm(V, "t1", "threshold", Severity.WARNING, "x")
    second = await alarms.raise_alarm(V, "t2", "threshold", Severity.WARNING, "x")
    assert _route(router, events, clock()) == [("a", Event.RAISED)] * 2
    assert router.tick(T0 + 14 * 60)[0] == []
    await alarms.acknowledge(second.alarm_id, "ana")
    _route(router, events, clock())
    out, _ = router.tick(T0 + 15 * 60)
    assert [(c, n.event, n.alarm.alarm_id) for c, n in out] == [
        ("b", Event.ESCALATED, first.alarm_id),
        ("c", Event.ESCALATED, first.alarm_id),
    ]
    assert router.tick(T0 + 60 * 60)[0] == []  # once


async def test_quiet_hours_hold_back_all_but_critical_in_venue_time() -> None:
    quiet = {"start": "22:00", "end": "07:00", "min_severity": "critical"}
    router = _router({"channels": ["a"], "quiet_hours": quiet})
    alarms, events, _clock = await _manager()
    night = dt.datetime(2026, 12, 3, 23, 30, tzinfo=ZoneInfo(TZ)).timestamp()
    await alarms.raise_alarm(V, "t1", "threshold", Severity.WARNING, "x")
    await alarms.raise_alarm(V, "t2", "threshold", Severity.CRITICAL, "x")
    out, held = [], []
    for e in list(events):
        o, h = router.on_event(e, night)
        out += o
        held += h
    assert [(c, n.alarm.source) for c, n in out] == [("a", "t2")]
    assert [h.note for h in held] == ["raised: not sent (quiet hours)"]
    # 23:30 UTC is 07:30 in Shanghai: not quiet there.
    events.clear()
    await alarms.raise_alarm(V, "t3", "threshold", Severity.WARNING, "x")
    utc_night = dt.datetime(2026, 12, 3, 23, 30, tzinfo=dt.UTC).timestamp()
    assert len(router.on_event(events[0], utc_night)[0]) == 1


async def test_digest_collects_and_sends_once_a_day_at_digest_time() -> None:
    router = _router({"channels": ["a"], "digest": True}, digest_at="08:00")
    alarms, events, clock = await _manager()
    await alarms.raise_alarm(V, "t1", "threshold", Severity.WARNING, "x")
    await alarms.raise_alarm(V, "t2", "threshold", Severity.WARNING, "x")
    assert _route(router, events, clock()) == []
    next_morning = dt.datetime(2026, 12, 4, 7, 59, tzinfo=ZoneInfo(TZ)).timestamp()
    assert router.tick(next_morning)[0] == []
    out, _ = router.tick(next_morning + 120)
    [(channel, notice)] = out
    assert channel == "a" and notice.event is Event.DIGEST
    assert [a.source for a in notice.alarms] == ["t1", "t2"]
    assert router.tick(next_morning + 3600)[0] == []


def test_config_refuses_unknown_channels_and_plaintext_smtp_off_loopback() -> None:
    with pytest.raises(ValidationError, match="unknown channel"):
        NotifyConfig.model_validate({"channels": CHANNELS, "routes": [{"channels": ["zz"]}]})
    mail = {"id": "m", "type": "email", "sender": "a@b", "to": ["c@d"], "security": "none"}
    with pytest.raises(ValidationError, match="loopback"):
        NotifyConfig.model_validate({"channels": [{**mail, "host": "smtp.example.org"}]})
    NotifyConfig.model_validate({"channels": [{**mail, "host": "127.0.0.1"}]})


def test_secrets_come_from_environment_or_file_and_never_print(
    tmp_path: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("HOOK_SECRET", "abc123")
    assert SecretRef(env="HOOK_SECRET").resolve().get_secret_value() == "abc123"
    assert "abc123" not in repr(SecretRef(env="HOOK_SECRET").resolve())
    (tmp_path / "s").write_text("from-file\n")
    assert SecretRef(file=tmp_path / "s").resolve().get_secret_value() == "from-file"
    with pytest.raises(NotifyConfigError, match="MISSING_VAR is not set"):
        SecretRef(env="MISSING_VAR").resolve()
    with pytest.raises(ValidationError):
        SecretRef(env="A", file=tmp_path / "s")


def test_settings_file_carries_the_notify_section(tmp_path: Any) -> None:
    from venue_twin.settings import load_settings

    path = tmp_path / "venue-twin.yaml"
    path.write_text(
        "notify:\n"
        "  channels:\n"
        "    - {id: ding, type: dingtalk, url_secret: {env: DING_URL}, secret: {env: DING_KEY}}\n"
        "  routes:\n"
        "    - {channels: [ding], kinds: ['anomaly.*'], escalate_after_min: 10}\n"
    )
    settings = load_settings(path)
    assert settings.notify is not None
    [route] = settings.notify.routes
    assert route.escalate_after_min == 10 and settings.notify.channels[0].type == "dingtalk"
