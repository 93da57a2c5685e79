"""MQTT connection settings for the simulator's publisher."""

from __future__ import annotations

import secrets
from dataclasses import dataclass, field

__all__ = ["MqttConfig"]


@dataclass(frozen=True, slots=True)
class MqttConfig:
    """Where and how to connect. ``password`` never appears in ``repr``.

    ``client_id`` ``""`` picks ``venue-twin-sim-<random>`` so two simulators
    never kick each other off the broker.
    """

    host: str = "127.0.0.1"
    port: int = 1883
    username: str | None = None
    password: str | None = field(default=None, repr=False)
    tls: bool = False
    ca_file: str | None = None
    client_id: str = ""
    keepalive_s: int = 30
    connect_timeout_s: float = 10.0

    def resolved_client_id(self) -> str:
        return self.client_id or f"venue-twin-sim-{secrets.token_hex(4)}"
