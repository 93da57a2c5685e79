"""Request bodies and signatures: our webhook, Slack, Microsoft Teams, DingTalk, WeCom.

Each chat service documents its own incoming-webhook JSON:

- Slack: ``{"text": ..., "blocks": [...]}`` with ``mrkdwn`` sections;
- Microsoft Teams (Workflows / incoming webhook): a ``message`` whose attachment
  is an Adaptive Card (``application/vnd.microsoft.card.adaptive``);
- DingTalk custom robot: ``{"msgtype": "markdown", "markdown": {"title", "text"}}``,
  signed by ``timestamp`` (ms) and ``sign`` = urlencode(base64(HMAC-SHA256(secret,
  f"{timestamp}\\n{secret}"))) in the query string;
- WeCom group robot: ``{"msgtype": "markdown", "markdown": {"content": ...}}``.

DingTalk and WeCom answer HTTP 200 with a non-zero ``errcode`` on failure.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import urllib.parse
from typing import Any

from notify.message import Notice, Rendered
from twin.alarms import Alarm

__all__ = [
    "SIGNATURE_HEADER",
    "chat_body",
    "dingtalk_signed_url",
    "sign_webhook",
    "verify_webhook",
    "webhook_body",
]

SIGNATURE_HEADER = "X-Venue-Twin-Signature"
WEBHOOK_VERSION = 1

_COLOURS = {"critical": "#c0392b", "warning": "#e67e22", "info": "#2980b9"}
_TEAMS_COLOURS = {"critical": "Attention", "warning": "Warning", "info": "Accent"}
_WECOM_COLOURS = {"critical": "warning", "warning": "warning", "info": "info"}


def _alarm_json(a: Alarm) -> dict[str, Any]:
    return {
        "id": a.alarm_id,
        "venue": a.venue,
        "source": a.source,
        "kind": a.kind,
        "severity": a.severity.value,
        "state": a.state.value,
        "message": a.message,
        "message_key": a.text.key if a.text else None,
        "message_params": dict(a.text.params) if a.text else None,
        "value": a.value,
        "count": a.count,
        "raised_at": a.raised_at,
        "cleared_at": a.cleared_at,
    }


def webhook_body(n: Notice, r: Rendered) -> bytes:
    """Our own versioned JSON: the event, the alarm(s), and the text in the channel's language."""
    body = {
        "version": WEBHOOK_VERSION,
        "event": n.event.value,
        "delivery_id": n.delivery_id,
        "ts": n.ts,
        "subject": r.subject,
        "text": r.text,
        "alarms": [_alarm_json(a) for a in n.alarms],
    }
    return json.dumps(body, ensure_ascii=False, allow_nan=False, default=str).encode()


def sign_webhook(secret: str, timestamp: int, body: bytes) -> str:
    """``t=<unix s>,v1=<hex HMAC-SHA256(secret, "<t>." + body)>``; the time stops replays."""
    mac = hmac.new(secret.encode(), f"{timestamp}.".encode() + body, hashlib.sha256)
    return f"t={timestamp},v1={mac.hexdigest()}"


def verify_webhook(
    secret: str, header: str, body: bytes, now: float, tolerance_s: float = 300.0
) -> bool:
    """What a receiver does with the header (documented in docs/notifications.md)."""
    try:
        parts = dict(p.split("=", 1) for p in header.split(","))
        ts = int(parts["t"])
    except (KeyError, ValueError):
        return False
    if abs(now - ts) > tolerance_s:
        return False
    expected = sign_webhook(secret, ts, body).split("v1=", 1)[1]
    return hmac.compare_digest(expected, parts.get("v1", ""))


def dingtalk_signed_url(url: str, secret: str, timestamp_ms: int) -> str:
    """The robot URL with DingTalk's ``timestamp`` and ``sign`` query parameters."""
    to_sign = f"{timestamp_ms}\n{secret}".encode()
    digest = hmac.new(secret.encode(), to_sign, hashlib.sha256).digest()
    sign = urllib.parse.quote_plus(base64.b64encode(digest))
    joiner = "&" if "?" in url else "?"
    return f"{url}{joiner}timestamp={timestamp_ms}&sign={sign}"


def _markdown_lines(r: Rendered) -> list[str]:
    return [line for line in r.lines if line]


def chat_body(kind: str, r: Rendered) -> dict[str, Any]:
    """The JSON body of one chat service's incoming webhook."""
    lines = _markdown_lines(r)
    if kind == "slack":
        return {
            "text": r.subject,
            "blocks": [
                {"type": "header", "text": {"type": "plain_text", "text": r.subject[:150]}},
                {"type": "section", "text": {"type": "mrkdwn", "text": "\n".join(lines)[:3000]}},
            ],
            "attachments": [{"color": _COLOURS.get(r.severity, "#888888")}],
        }
    if kind == "teams":
        return {
            "type": "message",
            "attachments": [
                {
                    "contentType": "application/vnd.microsoft.card.adaptive",
                    "contentUrl": None,
                    "content": {
                        "$schema": "http://adaptivecards.io/schemas/adaptive-card.json",
                        "type": "AdaptiveCard",
                        "version": "1.4",
                        "body": [
                            {
                                "type": "TextBlock",
                                "text": r.subject,
                                "weight": "Bolder",
                                "size": "Medium",
                                "color": _TEAMS_COLOURS.get(r.severity, "Default"),
                                "wrap": True,
                            },
                            *({"type": "TextBlock", "text": line, "wrap": True} for line in lines),
                        ],
                    },
                }
            ],
        }
    if kind == "dingtalk":
        text = f"#### {r.subject}\n\n" + "\n\n".join(lines)
        return {"msgtype": "markdown", "markdown": {"title": r.subject[:64], "text": text}}
    if kind == "wecom":
        colour = _WECOM_COLOURS.get(r.severity, "comment")
        head = f'**<font color="{colour}">{r.subject}</font>**'
        # WeCom caps markdown content at 4096 bytes.
        content = "\n".join([head, *(f"> {line}" for line in lines)])
        encoded = content.encode()[:4096].decode(errors="ignore")
        return {"msgtype": "markdown", "markdown": {"content": encoded}}
    raise ValueError(f"unknown chat format {kind!r}")
