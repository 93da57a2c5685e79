"""The simulator, the replayer and the recorder report a broker they cannot use alike.

Each raises :class:`BrokerUnavailable` naming ``host:port`` and why: settings
paho refuses before it tries, a port where no broker listens, and it leaves no
network thread running behind.
"""

from __future__ import annotations

import socket
import threading
from pathlib import Path
from typing import Any

import pytest

from simulators.errors import BrokerUnavailable
from simulators.mqtt_config import MqttConfig
from simulators.publisher import SimPublisher
from simulators.recorder import Recorder
from simulators.replayer import MqttSender


def _closed_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port: int = s.getsockname()[1]
        return port


async def _connect(tool: str, cfg: MqttConfig, tmp_path: Path) -> None:
    if tool == "simulator":
        await SimPublisher(cfg, "v").connect()
    elif tool == "replayer":
        async with MqttSender(cfg):
            pass
    else:
        await Recorder(cfg, tmp_path / "rec.vtrec").run(duration_s=1.0)


def _paho_threads() -> list[Any]:
    return [t for t in threading.enumerate() if t.name.startswith("paho-mqtt-client")]


@pytest.mark.parametrize("tool", ["simulator", "replayer", "recorder"])
async def test_settings_paho_refuses_are_reported_before_any_try(tool: str, tmp_path: Path) -> None:
    cfg = MqttConfig(port=_closed_port(), keepalive_s=-1, connect_timeout_s=2.0)
    with pytest.raises(BrokerUnavailable, match=rf"^127\.0\.0\.1:{cfg.port}: (?i:keepalive)"):
        await _connect(tool, cfg, tmp_path)


@pytest.mark.parametrize("tool", ["simulator", "replayer", "recorder"])
async def test_no_broker_on_the_port_is_reported_and_no_thread_stays(
    tool: str, tmp_path: Path
) -> None:
    before = len(_paho_threads())
    cfg = MqttConfig(port=_closed_port(), connect_timeout_s=2.0)
    with pytest.raises(BrokerUnavailable, match=rf"^127\.0\.0\.1:{cfg.port}: "):
        await _connect(tool, cfg, tmp_path)
    assert len(_paho_threads()) <= before
