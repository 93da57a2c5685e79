"""Channel adapters: send one rendered notice by SMTP or HTTP, or say why not.

A failure raises :class:`DeliveryFailed`, ``retryable`` when trying again may
help (a timeout, a refused connection, HTTP 5xx or 429, an SMTP 4xx) and not
when it cannot (HTTP 4xx, an SMTP 5xx, a chat service's error code for a bad
request). Secrets are resolved once, at construction, and never logged.
"""

from __future__ import annotations

import asyncio
import json
import smtplib
import ssl
import time
from email.message import EmailMessage
from email.utils import formatdate, make_msgid
from html import escape
from typing import Protocol

import httpx

from notify.config import ChatConfig, EmailConfig, WebhookConfig
from notify.formats import (
    SIGNATURE_HEADER,
    chat_body,
    dingtalk_signed_url,
    sign_webhook,
    webhook_body,
)
from notify.message import Notice, render_notice

__all__ = ["Channel", "DeliveryFailed", "EmailChannel", "HttpChannel", "build_channel"]


class DeliveryFailed(Exception):
    def __init__(self, reason: str, *, retryable: bool) -> None:
        super().__init__(reason)
        self.reason = reason
        self.retryable = retryable


class Channel(Protocol):
    id: str
    kind: str

    async def send(self, notice: Notice) -> None: ...

    async def aclose(self) -> None: ...


class EmailChannel:
    """SMTP through the standard library, on a worker thread (it blocks)."""

    kind = "email"

    def __init__(self, cfg: EmailConfig) -> None:
        self.id = cfg.id
        self._cfg = cfg
        self._password = cfg.password.resolve() if cfg.password is not None else None
        self._tls = ssl.create_default_context(
            cafile=str(cfg.ca_file) if cfg.ca_file is not None else None
        )

    def message(self, notice: Notice) -> EmailMessage:
        cfg = self._cfg
        r = render_notice(notice, cfg.language)
        msg = EmailMessage()
        msg["Subject"] = r.subject
        msg["From"] = cfg.sender
        msg["To"] = ", ".join(cfg.to)
        msg["Date"] = formatdate(notice.ts, localtime=False)
        msg["Message-ID"] = make_msgid(idstring=notice.delivery_id, domain="venue-twin")
        msg["X-Venue-Twin-Event"] = notice.event.value
        msg.set_content(r.text, charset="utf-8")
        lang = "zh-CN" if cfg.language == "zh-CN" else "en"
        body = "".join(f"<p>{escape(line)}</p>" for line in r.lines if line)
        msg.add_alternative(
            f'<!doctype html><html lang="{lang}"><body><h3>{escape(r.subject)}</h3>'
            f"{body}</body></html>",
            subtype="html",
            charset="utf-8",
        )
        return msg

    def _send_blocking(self, msg: EmailMessage) -> None:
        cfg = self._cfg
        smtp: smtplib.SMTP
        if cfg.security == "tls":
            smtp = smtplib.SMTP_SSL(cfg.host, cfg.port, timeout=cfg.timeout_s, context=self._tls)
        else:
            smtp = smtplib.SMTP(cfg.host, cfg.port, timeout=cfg.timeout_s)
        with smtp:
            smtp.ehlo()
            if cfg.security == "starttls":
                smtp.starttls(context=self._tls)
                smtp.ehlo()
            if cfg.username is not None and self._password is not None:
                smtp.login(cfg.username, self._password.get_secret_value())
            smtp.send_message(msg)

    async def send(self, notice: Notice) -> None:
        msg = self.message(notice)
        try:
            await asyncio.to_thread(self._send_blocking, msg)
        except smtplib.SMTPResponseException as exc:
            err = exc.smtp_error
            text = (err.decode(errors="replace") if isinstance(err, bytes) else str(err))[:200]
            raise DeliveryFailed(
                f"SMTP {exc.smtp_code} {text}", retryable=400 <= exc.smtp_code < 500
            ) from None
        except smtplib.SMTPRecipientsRefused as exc:
            raise DeliveryFailed(
                f"SMTP refused recipients {list(exc.recipients)}", retryable=False
            ) from None
        except ssl.SSLCertVerificationError as exc:
            raise DeliveryFailed(
                f"TLS certificate refused: {exc.verify_message}", retryable=False
            ) from None
        except (OSError, smtplib.SMTPException) as exc:
            raise DeliveryFailed(f"SMTP {type(exc).__name__}: {exc}", retryable=True) from None

    async def aclose(self) -> None:
        return None


class HttpChannel:
    """Our signed webhook, or a chat service's incoming webhook."""

    def __init__(self, cfg: WebhookConfig | ChatConfig, client: httpx.AsyncClient) -> None:
        self.id = cfg.id
        self.kind: str = cfg.type
        self._cfg = cfg
        self._client = client
        url = cfg.url_secret.resolve().get_secret_value() if cfg.url_secret else cfg.url
        assert url is not None
        self._url = url
        self._secret = cfg.secret.resolve() if cfg.secret is not None else None

    def request(self, notice: Notice, now: float) -> tuple[str, bytes, dict[str, str]]:
        """URL, body and headers of the POST for ``notice`` at ``now``."""
        r = render_notice(notice, self._cfg.language)
        headers = {"Content-Type": "application/json; charset=utf-8"}
        url = self._url
        if isinstance(self._cfg, WebhookConfig):
            body = webhook_body(notice, r)
            headers.update(self._cfg.headers)
            headers["X-Venue-Twin-Event"] = notice.event.value
            headers["X-Venue-Twin-Delivery"] = notice.delivery_id
            if self._secret is not None:
                headers[SIGNATURE_HEADER] = sign_webhook(
                    self._secret.get_secret_value(), int(now), body
                )
            return url, body, headers
        body = json.dumps(chat_body(self.kind, r), ensure_ascii=False).encode()
        if self.kind == "dingtalk" and self._secret is not None:
            url = dingtalk_signed_url(url, self._secret.get_secret_value(), int(now * 1000))
        return url, body, headers

    async def send(self, notice: Notice) -> None:
        url, body, headers = self.request(notice, time.time())
        try:
            resp = await self._client.post(
                url, content=body, headers=headers, timeout=self._cfg.timeout_s
            )
        except httpx.HTTPError as exc:
            raise DeliveryFailed(f"HTTP {type(exc).__name__}", retryable=True) from None
        if resp.status_code >= 300:
            retryable = resp.status_code >= 500 or resp.status_code in (408, 429)
            raise DeliveryFailed(f"HTTP {resp.status_code}", retryable=retryable)
        if self.kind in ("dingtalk", "wecom"):
            try:
                code = int(resp.json().get("errcode", 0))
            except (ValueError, AttributeError):
                code = 0
            if code != 0:
                # Both services use -1 / 45009 / 130101-style codes for "busy, try later".
                busy = code in (-1, 45009, 130101)
                raise DeliveryFailed(f"{self.kind} errcode {code}", retryable=busy)

    async def aclose(self) -> None:
        return None


def build_channel(
    cfg: EmailConfig | WebhookConfig | ChatConfig, client: httpx.AsyncClient
) -> Channel:
    if isinstance(cfg, EmailConfig):
        return EmailChannel(cfg)
    return HttpChannel(cfg, client)
