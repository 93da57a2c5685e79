"""Typed settings, built once from the environment and an optional config file.

Environment variables use the prefix ``VENUE_TWIN_`` and ``__`` for nesting,
e.g. ``VENUE_TWIN_MQTT__HOST=broker``, ``VENUE_TWIN_STORE_URL=postgresql://...``.
Secrets may also come from files (``VENUE_TWIN_MQTT__PASSWORD_FILE``); they
never print.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import yaml
from pydantic import BaseModel, Field, SecretStr, field_validator, model_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

from ingest.adapters.spec import AdapterSpec
from ingest.decode import SensorPolicy
from ingest.mqtt_settings import MqttSettings
from notify.config import NotifyConfig

__all__ = ["AuthConfig", "MqttConfig", "Settings", "load_settings"]


class MqttConfig(BaseModel):
    host: str = "127.0.0.1"
    port: int = Field(1883, ge=1, le=65535)
    username: str | None = None
    password: SecretStr | None = None
    password_file: Path | None = None
    tls: bool = False
    ca_file: str | None = None
    cert_file: str | None = None
    key_file: str | None = None
    protocol: int = Field(5, description="MQTT protocol: 5 or 311 (3.1.1).")
    client_id: str = "venue-twin-ingest"
    qos: int = Field(1, ge=0, le=1)
    shared_group: str | None = Field(
        None, description="MQTT 5 shared-subscription group for scaling ingest out."
    )

    @field_validator("protocol")
    @classmethod
    def _known_protocol(cls, v: int) -> int:
        if v not in (5, 311):
            raise ValueError("MQTT protocol is 5 or 311")
        return v

    @model_validator(mode="after")
    def _password_from_file(self) -> MqttConfig:
        if self.password is None and self.password_file is not None:
            self.password = SecretStr(self.password_file.read_text().strip())
        return self

    def to_client(self, client_id: str | None = None) -> MqttSettings:
        return MqttSettings(
            host=self.host,
            port=self.port,
            username=self.username,
            password=self.password.get_secret_value() if self.password else None,
            tls=self.tls,
            ca_file=self.ca_file,
            cert_file=self.cert_file,
            key_file=self.key_file,
            protocol=5 if self.protocol == 5 else 311,
            client_id=client_id or self.client_id,
        )


class AuthConfig(BaseModel):
    """Who may use the viewer (see docs/security.md)."""

    enabled: bool = True
    users_file: Path | None = Field(
        None, description="YAML users file (`venue-twin user add` writes it); required if enabled."
    )
    secret: SecretStr | None = Field(None, description="Token signing key (>= 16 bytes).")
    secret_file: Path | None = Field(
        None, description="File holding the signing key; created with a random key if missing."
    )
    token_ttl_s: float = Field(12 * 3600.0, gt=0, le=30 * 86_400.0)


class Settings(BaseSettings):
    model_config = SettingsConfigDict(
        env_prefix="VENUE_TWIN_", env_nested_delimiter="__", extra="forbid"
    )

    venues: list[str] = Field(
        default_factory=lambda: ["sample:museum-wing"],
        description="Venue files, or 'sample:NAME' for a venue shipped with the package.",
    )
    store_url: SecretStr = Field(
        SecretStr("sqlite:///./venue-twin.sqlite3"),
        description="sqlite:///PATH or postgresql://USER:PASS@HOST/DB",
    )
    mqtt: MqttConfig = MqttConfig()
    topic_prefix: str = ""
    unknown_sensors: SensorPolicy = SensorPolicy.REJECT
    adapters: list[AdapterSpec] = Field(
        default_factory=list,
        description="Device payload adapters (ChirpStack, TTS, Zigbee2MQTT, Sparkplug B, "
        "Home Assistant statestream, generic JSON); see docs/adapters.md.",
    )
    max_payload_bytes: int = Field(256 * 1024, gt=0)
    max_future_s: float = Field(300.0, ge=0, description="Reject readings further ahead.")
    max_age_s: float = Field(366 * 86_400.0, gt=0, description="Reject readings older.")
    http_host: str = "127.0.0.1"
    http_port: int = Field(8000, ge=0, le=65535)
    ws_tick_hz: float = Field(10.0, gt=0, le=50)
    auth: AuthConfig = AuthConfig()
    allowed_origins: list[str] = Field(
        default_factory=list,
        description="Other origins allowed to call the API (CORS) and open /ws; none by default.",
    )
    replay_max_sessions: int = Field(8, ge=1, le=64)
    replay_idle_s: float = Field(600.0, gt=0)
    writer_max_batch: int = Field(5000, gt=0)
    writer_max_delay_s: float = Field(0.05, gt=0)
    writer_max_pending: int = Field(200_000, gt=0)
    spool_dir: Path | None = Field(None, description="Disk spool for store outages.")
    spool_max_bytes: int = Field(512 * 1024 * 1024, gt=0)
    metrics_port: int | None = Field(
        None, ge=0, le=65535, description="Prometheus endpoint of `venue-twin ingest` workers."
    )
    empty_hours: dict[str, tuple[float, float]] = Field(
        default_factory=dict,
        description="Per venue id, local hours (start, end) when it is known empty; "
        "lets the occupancy estimator correct drifting counters at closing.",
    )
    publish_state: bool = Field(
        True,
        description="Publish the twin's state on venues/{venue}/twin/... for `venue-twin viewer`.",
    )
    state_snapshot_s: float = Field(
        10.0, gt=0, le=3600, description="How often the twin republishes each venue's snapshot."
    )
    mirror_action_timeout_s: float = Field(
        10.0, gt=0, le=120, description="How long a mirror viewer waits for the twin's answer."
    )
    mirror_client_id: str | None = Field(
        None,
        description="MQTT client id of a `venue-twin viewer` (default: from host name and pid).",
    )
    log_level: str = "INFO"
    notify: NotifyConfig | None = Field(
        None, description="Alarm notifications: channels and routes (docs/notifications.md)."
    )


def load_settings(config_file: Path | None = None, **overrides: Any) -> Settings:
    """Settings from (lowest first) defaults, config file, environment, overrides."""
    file_values: dict[str, Any] = {}
    if config_file is not None:
        loaded = yaml.safe_load(config_file.read_text(encoding="utf-8")) or {}
        if not isinstance(loaded, dict):
            raise ValueError(f"{config_file}: a config file is a mapping")
        file_values = loaded
    env = Settings()
    # Environment beats the file, explicit overrides beat both.
    merged = _deep_merge(_deep_merge(file_values, env.model_dump(exclude_unset=True)), overrides)
    return Settings.model_validate(merged)


def _deep_merge(base: dict[str, Any], top: dict[str, Any]) -> dict[str, Any]:
    out = dict(base)
    for k, v in top.items():
        if isinstance(v, dict) and isinstance(out.get(k), dict):
            out[k] = _deep_merge(out[k], v)
        else:
            out[k] = v
    return out
