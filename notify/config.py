"""Notification settings: channels, routing rules, retries (the ``notify:`` settings section).

Secrets (SMTP passwords, webhook signing keys, chat webhook URLs that carry an
access token) are never written in the settings themselves: each is a
:class:`SecretRef` naming an environment variable or a file, read once at
start-up into a ``SecretStr`` that never prints.
"""

from __future__ import annotations

import datetime as dt
import fnmatch
import os
from pathlib import Path
from typing import Annotated, Literal

from pydantic import BaseModel, ConfigDict, Field, SecretStr, field_validator, model_validator

from twin.alarms import Severity

__all__ = [
    "ChannelConfig",
    "ChatConfig",
    "EmailConfig",
    "NotifyConfig",
    "NotifyConfigError",
    "QuietHours",
    "RetryPolicy",
    "RouteConfig",
    "SecretRef",
    "WebhookConfig",
]


class NotifyConfigError(ValueError):
    """The notification settings cannot work (a missing secret, an unknown channel)."""


class _Model(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class SecretRef(_Model):
    """Where a secret lives: ``{env: NAME}`` or ``{file: /run/secrets/name}``."""

    env: str | None = None
    file: Path | None = None

    @model_validator(mode="after")
    def _one_source(self) -> SecretRef:
        if (self.env is None) == (self.file is None):
            raise ValueError("a secret names exactly one of env or file")
        return self

    def resolve(self) -> SecretStr:
        if self.env is not None:
            value = os.environ.get(self.env)
            if not value:
                raise NotifyConfigError(f"secret: environment variable {self.env} is not set")
            return SecretStr(value)
        assert self.file is not None
        try:
            return SecretStr(self.file.read_text().strip())
        except OSError as exc:
            raise NotifyConfigError(f"secret: cannot read {self.file}: {exc.strerror}") from None


Language = Literal["en", "zh-CN"]


class _ChannelBase(_Model):
    id: str = Field(pattern=r"^[A-Za-z0-9_.-]{1,64}$")
    language: Language = "en"
    timeout_s: float = Field(10.0, gt=0, le=120)


class EmailConfig(_ChannelBase):
    """SMTP with STARTTLS (port 587) or implicit TLS (port 465); ``none`` only on loopback."""

    type: Literal["email"] = "email"
    host: str
    port: int = Field(587, ge=1, le=65535)
    security: Literal["starttls", "tls", "none"] = "starttls"
    username: str | None = None
    password: SecretRef | None = None
    ca_file: Path | None = Field(None, description="Trust this CA instead of the system's.")
    sender: str
    to: list[str] = Field(min_length=1)

    @model_validator(mode="after")
    def _plaintext_only_on_loopback(self) -> EmailConfig:
        if self.security == "none" and self.host not in ("127.0.0.1", "::1", "localhost"):
            raise ValueError("plaintext SMTP is allowed only to a loopback relay")
        return self


class WebhookConfig(_ChannelBase):
    """Our JSON body, signed with HMAC-SHA256 when ``secret`` is set."""

    type: Literal["webhook"] = "webhook"
    url: str | None = None
    url_secret: SecretRef | None = None
    secret: SecretRef | None = None
    headers: dict[str, str] = {}

    @model_validator(mode="after")
    def _one_url(self) -> WebhookConfig:
        if (self.url is None) == (self.url_secret is None):
            raise ValueError("a webhook names exactly one of url or url_secret")
        return self


class ChatConfig(_ChannelBase):
    """A chat service's incoming webhook in its own JSON format.

    DingTalk's ``secret`` signs each request (timestamp + HMAC-SHA256); the
    others authenticate by the URL alone, so give it as ``url_secret``.
    """

    type: Literal["slack", "teams", "dingtalk", "wecom"]
    url: str | None = None
    url_secret: SecretRef | None = None
    secret: SecretRef | None = None

    @model_validator(mode="after")
    def _one_url(self) -> ChatConfig:
        if (self.url is None) == (self.url_secret is None):
            raise ValueError("a chat webhook names exactly one of url or url_secret")
        return self


ChannelConfig = Annotated[EmailConfig | WebhookConfig | ChatConfig, Field(discriminator="type")]


def _clock_time(text: str) -> dt.time:
    try:
        return dt.time.fromisoformat(text)
    except ValueError:
        raise ValueError(f"not a time of day (HH:MM): {text!r}") from None


class QuietHours(_Model):
    """Local hours (venue time zone) when only alarms of ``min_severity`` and above go out."""

    start: str
    end: str
    min_severity: Severity = Severity.CRITICAL

    @field_validator("start", "end")
    @classmethod
    def _time(cls, v: str) -> str:
        _clock_time(v)
        return v

    def covers(self, local: dt.time) -> bool:
        start, end = _clock_time(self.start), _clock_time(self.end)
        if start <= end:
            return start <= local < end
        return local >= start or local < end  # spans midnight


class RouteConfig(_Model):
    """Which alarms go to which channels. Empty filters match everything.

    ``kinds`` are shell-style patterns (``anomaly.*``). An alarm still raised
    and unacknowledged ``escalate_after_min`` minutes after its notice is sent
    again, as an escalation, to ``escalate_to`` (default: the same channels).
    With ``digest`` the route's notices are collected into one message a day
    at ``NotifyConfig.digest_at`` instead of going out one by one.
    """

    channels: list[str] = Field(min_length=1)
    venues: list[str] = []
    zones: list[str] = []
    kinds: list[str] = []
    min_severity: Severity = Severity.WARNING
    quiet_hours: QuietHours | None = None
    escalate_after_min: float | None = Field(None, gt=0)
    escalate_to: list[str] = []
    notify_cleared: bool = True
    digest: bool = False

    def matches(self, venue: str, zone: str | None, kind: str, severity: Severity) -> bool:
        if severity.rank < self.min_severity.rank:
            return False
        if self.venues and venue not in self.venues:
            return False
        if self.zones and zone not in self.zones:
            return False
        return not self.kinds or any(fnmatch.fnmatchcase(kind, p) for p in self.kinds)


class RetryPolicy(_Model):
    """Exponential backoff: ``initial_s``, doubling up to ``max_s``, ``attempts`` in all."""

    attempts: int = Field(5, ge=1, le=20)
    initial_s: float = Field(1.0, gt=0)
    max_s: float = Field(60.0, gt=0)
    jitter: float = Field(0.1, ge=0, le=1)

    def delay(self, attempt: int) -> float:
        """The pause before retry number ``attempt`` (1-based), before jitter."""
        return float(min(self.max_s, self.initial_s * 2.0 ** (attempt - 1)))


class NotifyConfig(_Model):
    channels: list[ChannelConfig] = []
    routes: list[RouteConfig] = []
    retry: RetryPolicy = RetryPolicy()
    queue_size: int = Field(1000, ge=1, le=100_000)
    dead_letter_file: Path | None = Field(
        None, description="JSON lines of notices that could not be delivered."
    )
    digest_at: str = "08:00"
    base_url: str | None = Field(None, description="The viewer's address, for links.")

    @field_validator("digest_at")
    @classmethod
    def _digest_time(cls, v: str) -> str:
        _clock_time(v)
        return v

    @model_validator(mode="after")
    def _known_channels(self) -> NotifyConfig:
        ids = [c.id for c in self.channels]
        if len(set(ids)) != len(ids):
            raise ValueError("channel ids must be unique")
        for route in self.routes:
            for name in [*route.channels, *route.escalate_to]:
                if name not in ids:
                    raise ValueError(f"route names an unknown channel {name!r}")
        return self

    @property
    def digest_time(self) -> dt.time:
        return _clock_time(self.digest_at)
