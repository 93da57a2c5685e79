"""An in-process MQTT 3.1.1 broker (amqtt) for the demo and small installations.

amqtt is pure Python: fine for a demo's few hundred messages per second, not
for production (use Mosquitto; see ``infra/mosquitto/``).
"""

from __future__ import annotations

import logging
import socket
from types import TracebackType

from amqtt.broker import Broker

__all__ = ["EmbeddedBroker", "free_port"]


def free_port(host: str = "127.0.0.1") -> int:
    with socket.socket() as s:
        s.bind((host, 0))
        port: int = s.getsockname()[1]
        return port


def port_is_free(host: str, port: int) -> bool:
    with socket.socket() as s:
        # As the server binds: connections of a previous run in TIME_WAIT do not count.
        s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            s.bind((host, port))
        except OSError:
            return False
        return True


class EmbeddedBroker:
    """``async with EmbeddedBroker(host, port) as b:`` serves MQTT on ``b.port``."""

    def __init__(self, host: str = "127.0.0.1", port: int = 1883) -> None:
        self.host = host
        self.port = port
        self._broker: Broker | None = None

    async def __aenter__(self) -> EmbeddedBroker:
        # amqtt logs every packet at INFO; keep the console for what operators need.
        for name in ("amqtt", "transitions"):
            logging.getLogger(name).setLevel(logging.WARNING)
        config = {
            "listeners": {"default": {"type": "tcp", "bind": f"{self.host}:{self.port}"}},
            "plugins": {
                "amqtt.plugins.authentication.AnonymousAuthPlugin": {"allow_anonymous": True},
            },
        }
        self._broker = Broker(config)
        await self._broker.start()
        return self

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        if self._broker is not None:
            await self._broker.shutdown()
