"""MQTT connection settings for the simulator, recorder and replayer, and their client.

They connect as a device would (MQTT 3.1.1, optional TLS with a client
certificate, optional username and password), so one builder serves all three.
"""

from __future__ import annotations

import secrets
import ssl
from dataclasses import dataclass, field

import paho.mqtt.client as mqtt
from paho.mqtt.enums import CallbackAPIVersion

from simulators.errors import BrokerUnavailable

__all__ = ["MqttConfig", "connect_in_background", "make_client", "unavailable"]


@dataclass(frozen=True, slots=True)
class MqttConfig:
    """Where and how to connect. ``password`` never appears in ``repr``.

    ``client_id`` ``""`` picks ``venue-twin-<role>-<random>`` so two
    simulators never kick each other off the broker.
    """

    host: str = "127.0.0.1"
    port: int = 1883
    username: str | None = None
    password: str | None = field(default=None, repr=False)
    tls: bool = False
    ca_file: str | None = None
    cert_file: str | None = None
    key_file: str | None = None
    client_id: str = ""
    keepalive_s: int = 30
    connect_timeout_s: float = 10.0

    def resolved_client_id(self, role: str = "sim") -> str:
        return self.client_id or f"venue-twin-{role}-{secrets.token_hex(4)}"


def make_client(config: MqttConfig, *, role: str = "sim") -> mqtt.Client:
    """A paho client with credentials, TLS and reconnect backoff set (not connected)."""
    client = mqtt.Client(CallbackAPIVersion.VERSION2, client_id=config.resolved_client_id(role))
    if config.username is not None:
        client.username_pw_set(config.username, config.password)
    if config.tls:
        context = ssl.create_default_context(cafile=config.ca_file)
        if config.cert_file is not None:
            # Brokers that authenticate devices by certificate (require_certificate).
            context.load_cert_chain(config.cert_file, config.key_file)
        client.tls_set_context(context)
    client.reconnect_delay_set(min_delay=1, max_delay=30)
    return client


def connect_in_background(client: mqtt.Client, config: MqttConfig) -> None:
    """Start connecting in paho's network thread; the caller waits for its CONNACK.

    Raises :class:`BrokerUnavailable` if the connection cannot even be tried.
    """
    try:
        client.connect_async(config.host, config.port, keepalive=config.keepalive_s)
    except (OSError, ValueError) as exc:
        raise unavailable(config, exc) from exc
    client.loop_start()


def unavailable(config: MqttConfig, why: object) -> BrokerUnavailable:
    """The error of a broker that refused or did not answer, naming where it was sought."""
    return BrokerUnavailable(f"{config.host}:{config.port}: {why}")
