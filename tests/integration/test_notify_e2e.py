"""End to end: a simulated reading raises an alarm, and its notices reach a local SMTP
server (STARTTLS, login) and a local webhook receiver (HMAC-signed); a failing receiver
is retried with backoff and dead-lettered without holding the others back; every
delivery is written into the alarm's history."""

from __future__ import annotations

import json
import time
from pathlib import Path

import pytest

from notify import Notifier, NotifyConfig
from notify.formats import SIGNATURE_HEADER, verify_webhook
from simulators.faults import Fault, FaultKind, FaultPlan
from simulators.simulator import VenueSimulator
from tests.fixtures.notify_servers import (
    SmtpServer,
    WebhookReceiver,
    iter_text,
    self_signed_cert,
)
from twin.alarm_stores.memory import MemoryAlarmStore
from twin.alarms import Action, AlarmManager
from twin.loader import load_sample
from twin.service import TwinService
from twin.threshold_alarms import ThresholdAlarms

START = 1_796_284_800.0  # 2026-12-03 08:00 UTC
SENSOR = "gallery-a-temp"


def _config(tmp_path: Path, smtp: SmtpServer, cert: Path, good: str, bad: str) -> NotifyConfig:
    (tmp_path / "hook.key").write_text("hook-signing-key\n")
    return NotifyConfig.model_validate(
        {
            "channels": [
                {
                    "id": "ops-mail",
                    "type": "email",
                    "host": "127.0.0.1",
                    "port": smtp.port,
                    "security": "starttls",
                    "ca_file": str(cert),
                    "username": "alarms",
                    "password": {"env": "TEST_SMTP_PASSWORD"},
                    "sender": "alarms@venue.example",
                    "to": ["ops@venue.example"],
                    "language": "zh-CN",
                },
                {
                    "id": "hook",
                    "type": "webhook",
                    "url": good,
                    "secret": {"file": str(tmp_path / "hook.key")},
                },
                {"id": "broken", "type": "webhook", "url": bad},
            ],
            "routes": [{"channels": ["ops-mail", "hook", "broken"], "kinds": ["threshold"]}],
            "retry": {"attempts": 3, "initial_s": 0.3, "max_s": 1.0, "jitter": 0.0},
            "dead_letter_file": str(tmp_path / "dead.jsonl"),
        }
    )


@pytest.mark.timeout(60)
async def test_simulated_alarm_is_mailed_and_posted_and_a_broken_receiver_is_dead_lettered(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    password = "s3cret-smtp-password"
    monkeypatch.setenv("TEST_SMTP_PASSWORD", password)
    cert, key = self_signed_cert(tmp_path)
    venue = load_sample("museum-wing")
    # The simulator's gallery-a thermometer reads 15 degrees high for two minutes.
    fault = Fault(SENSOR, FaultKind.OFFSET, START + 60, START + 180, {"offset": 15.0})
    sim = VenueSimulator(venue, seed=4, start=START, faults=FaultPlan((fault,)))
    store = MemoryAlarmStore()
    await store.open()
    alarms = AlarmManager(store, clock=lambda: sim.now)
    twin = TwinService([venue])
    thresholds = ThresholdAlarms([venue], alarms)
    twin.add_listener(thresholds.on_changes)

    with (
        SmtpServer(cert, key, "alarms", password) as smtp,
        WebhookReceiver() as good,
        WebhookReceiver(status=500) as bad,
    ):
        config = _config(tmp_path, smtp, cert, good.url, bad.url)
        async with Notifier(config, [venue], alarms, clock=lambda: sim.now) as notifier:
            started = time.monotonic()
            for _ in range(12):  # two simulated minutes, 10 s steps
                twin.apply_readings(sim.step(10.0))
                await thresholds.drain()
            await notifier.drain()
            [alarm] = [a for a in alarms.open_alarms(venue.id) if a.source == SENSOR]
            assert alarm.kind == "threshold" and alarm.count >= 1

            # The mail arrived over STARTTLS with the login, in Chinese, once.
            [mail] = smtp.received
            assert mail.tls and mail.login == "alarms"
            assert mail.rcpt_tos == ["ops@venue.example"]
            assert "严重 报警" in mail.message["Subject"] and SENSOR in mail.message["Subject"]
            body = "\n".join(iter_text(mail.message))
            assert "高于报警上限 27 °C" in body
            assert "2026-12-03" in body and "GMT" in body  # the venue's local time

            # The webhook got one signed notice, before the broken one gave up.
            [req] = good.requests
            sig = req.headers[SIGNATURE_HEADER]
            assert verify_webhook("hook-signing-key", sig, req.body, time.time())
            assert not verify_webhook("wrong-key", sig, req.body, time.time())
            payload = json.loads(req.body)
            assert payload["event"] == "raised"
            assert payload["alarms"][0]["id"] == alarm.alarm_id
            assert payload["alarms"][0]["message_key"] == "threshold.above_alarm"

            # The broken receiver was tried 3 times with backoff, then dead-lettered.
            assert len(bad.requests) == 3
            gaps = [b.at - a.at for a, b in zip(bad.requests, bad.requests[1:], strict=False)]
            assert gaps[0] >= 0.25 and gaps[1] >= 0.55  # 0.3 s, then 0.6 s
            assert good.requests[0].at < bad.requests[-1].at
            assert smtp.received[0].at < bad.requests[-1].at
            assert notifier.dispatcher is not None
            [letter] = notifier.dispatcher.dead_letters
            assert (letter.channel, letter.attempts, letter.reason) == ("broken", 3, "HTTP 500")
            on_disk = [json.loads(x) for x in (tmp_path / "dead.jsonl").read_text().splitlines()]
            assert on_disk[0]["alarm_ids"] == [alarm.alarm_id]

            # More readings out of band: deduplicated, no new notices.
            for _ in range(3):
                twin.apply_readings(sim.step(10.0))
                await thresholds.drain()
            await notifier.drain()
            assert len(smtp.received) == 1 and len(good.requests) == 1

            # The fault ends: one "cleared" notice per working channel.
            for _ in range(12):
                twin.apply_readings(sim.step(10.0))
                await thresholds.drain()
            await notifier.drain()
            assert len(smtp.received) == 2 and "已解除" in smtp.received[1].message["Subject"]
            assert [json.loads(r.body)["event"] for r in good.requests] == ["raised", "cleared"]
            assert time.monotonic() - started < 30

        history = await alarms.history(alarm.alarm_id)
        notes = [t.note for t in history if t.action is Action.NOTIFY]
        assert "raised to ops-mail: delivered" in notes
        assert "raised to hook: delivered" in notes
        assert "raised to broken: retrying (attempt 1): HTTP 500" in notes
        assert "raised to broken: dead-lettered (attempt 3): HTTP 500" in notes
        assert "cleared to hook: delivered" in notes
    # The SMTP password was never logged or stored.
    assert password not in caplog.text
    assert password not in repr(config)
    assert all(password not in n for n in notes)
