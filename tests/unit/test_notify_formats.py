# ruff: noqa: RUF001  (Chinese texts use full-width punctuation)
"""Chat bodies in each service's documented format; signatures; retries and dead letters."""

from __future__ import annotations

import asyncio
import base64
import hashlib
import hmac
import urllib.parse

import pytest

from notify.channels import DeliveryFailed
from notify.config import RetryPolicy
from notify.delivery import Dispatcher
from notify.formats import chat_body, dingtalk_signed_url, sign_webhook, verify_webhook
from notify.message import Event, Notice, render_notice
from twin.alarms import Alarm, AlarmState, Severity
from twin.alarms.texts import AlarmText, render

T0 = 1_796_284_316.0


def _alarm(severity: Severity = Severity.CRITICAL) -> Alarm:
    text = AlarmText("anomaly.dropout", {"gap_s": 86_400.0, "expected_s": 10.0, "since_at": T0})
    return Alarm(
        "a1", "site", "gate-3", "anomaly.dropout", severity, AlarmState.RAISED,
        render(text), None, 1, True, T0 + 86_400, T0 + 86_400, text=text,
    )  # fmt: skip


def _notice(event: Event = Event.RAISED) -> Notice:
    return Notice(event, (_alarm(),), "Scenic site", "Asia/Shanghai", T0 + 86_400 + 900)


def test_notice_renders_in_chinese_with_venue_time_and_duration() -> None:
    r = render_notice(_notice(Event.ESCALATED), "zh-CN")
    assert r.subject == "[venue-twin] 严重 仍未确认：gate-3 (异常：数据中断), Scenic site"
    assert r.lines[0].startswith("已 24 小时 0 分 无读数")
    assert "报警时间：2026-12-04 15:51:56 CST" in r.lines
    assert "未确认时长：15 分 0 秒" in r.lines


def test_dingtalk_signature_follows_the_documented_algorithm() -> None:
    secret = "SEC0123456789abcdef"
    url = dingtalk_signed_url("https://oapi.dingtalk.com/robot/send?access_token=tok", secret, 1)
    query = urllib.parse.parse_qs(urllib.parse.urlsplit(url).query)
    assert query["access_token"] == ["tok"] and query["timestamp"] == ["1"]
    expected = base64.b64encode(
        hmac.new(secret.encode(), b"1\n" + secret.encode(), hashlib.sha256).digest()
    ).decode()
    assert query["sign"] == [expected]


def test_chat_bodies_have_each_services_documented_shape() -> None:
    r = render_notice(_notice(), "en")
    slack = chat_body("slack", r)
    assert slack["text"] == r.subject and slack["blocks"][1]["text"]["type"] == "mrkdwn"
    teams = chat_body("teams", r)
    card = teams["attachments"][0]
    assert teams["type"] == "message"
    assert card["contentType"] == "application/vnd.microsoft.card.adaptive"
    assert card["content"]["type"] == "AdaptiveCard" and card["content"]["body"][0]["text"]
    ding = chat_body("dingtalk", r)
    assert ding["msgtype"] == "markdown" and set(ding["markdown"]) == {"title", "text"}
    wecom = chat_body("wecom", render_notice(_notice(), "zh-CN"))
    assert wecom["msgtype"] == "markdown" and "无读数" in wecom["markdown"]["content"]
    with pytest.raises(ValueError, match="unknown chat format"):
        chat_body("fax", r)


def test_webhook_signature_rejects_tampering_and_old_timestamps() -> None:
    body = b'{"event":"raised"}'
    header = sign_webhook("k", 1000, body)
    assert verify_webhook("k", header, body, 1000.0)
    assert not verify_webhook("k", header, body + b" ", 1000.0)
    assert not verify_webhook("k", header, body, 1000.0 + 301)
    assert not verify_webhook("k", "garbage", body, 1000.0)


class FlakyChannel:
    kind = "webhook"

    def __init__(self, cid: str, failures: int, retryable: bool = True) -> None:
        self.id = cid
        self.failures = failures
        self.retryable = retryable
        self.calls = 0

    async def send(self, notice: Notice) -> None:
        self.calls += 1
        if self.calls <= self.failures:
            raise DeliveryFailed("HTTP 503", retryable=self.retryable)

    async def aclose(self) -> None:
        return None


async def test_backoff_doubles_up_to_its_cap_and_a_permanent_error_is_not_retried() -> None:
    pauses: list[float] = []

    async def sleep(s: float) -> None:
        pauses.append(s)

    flaky = FlakyChannel("flaky", failures=4)
    refused = FlakyChannel("refused", failures=99, retryable=False)
    policy = RetryPolicy(attempts=5, initial_s=1.0, max_s=5.0, jitter=0.0)
    async with Dispatcher([flaky, refused], policy, sleep=sleep) as d:
        await d.submit("flaky", _notice())
        await d.submit("refused", _notice())
        await d.join()
    assert flaky.calls == 5 and pauses == [1.0, 2.0, 4.0, 5.0]
    assert refused.calls == 1
    assert [(x.channel, x.attempts) for x in d.dead_letters] == [("refused", 1)]
    assert d.delivered == 1


async def test_a_full_channel_queue_dead_letters_instead_of_growing() -> None:
    gate = asyncio.Event()

    class Stuck(FlakyChannel):
        async def send(self, notice: Notice) -> None:
            await gate.wait()

    async with Dispatcher([Stuck("s", 0)], RetryPolicy(), queue_size=2) as d:
        await d.submit("s", _notice())
        await asyncio.sleep(0.01)  # the worker takes it and waits on the receiver
        for _ in range(4):
            await d.submit("s", _notice())
        assert d.pending() == 2
        assert [x.reason for x in d.dead_letters] == ["queue full", "queue full"]
        gate.set()
        await d.join()
    assert d.delivered == 3
