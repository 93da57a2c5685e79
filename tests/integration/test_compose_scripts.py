"""The broker entrypoint docker-compose runs (infra/mosquitto/compose-start.sh), for real.

Docker is not available here, so the script runs against this machine's
Mosquitto with the shipped config (ports and paths rewritten as for every
broker test): on a first start it initialises dynamic security and
provisions the twin, the viewer and one bound device from the environment;
on a restart it keeps what was provisioned; SIGTERM stops it cleanly. The
compose file itself is checked for what it must wire: the preflight before
everything, and no plain MQTT port published.
"""

from __future__ import annotations

import os
import signal
import subprocess
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
import yaml

from tests.fixtures.mosquitto import find_mosquitto
from tests.fixtures.shipped_mosquitto import SCRIPT, SHIPPED, Peer, derive_config, free_port

pytestmark = pytest.mark.integration

ROOT = SHIPPED.parents[1]
START = SHIPPED / "compose-start.sh"
ENV = {
    "DYNSEC_ADMIN_PASSWORD": "admin-Yt6c1Hj9Ku4e",
    "MQTT_TWIN_PASSWORD": "twin-Zr8p2Nc6Tq1y",
    "MQTT_VIEWER_PASSWORD": "viewer-Bx4k7Wm2Pd9s",
    "MQTT_DEVICE_PASSWORD": "device-Qs3n8Fv5Lr2h",
    "MQTT_DEVICE_ID": "gate-7",
    "MQTT_DEVICE_VENUE": "museum-wing",
}


class Started:
    def __init__(self, workdir: Path) -> None:
        self.workdir = workdir
        self.port = free_port()
        self.store = workdir / "dynamic-security.json"
        conf = workdir / "mosquitto.conf"
        shipped = (SHIPPED / "mosquitto.conf").read_text()
        conf.write_text(
            derive_config(shipped, port=self.port, workdir=workdir, store=self.store, tls=None)
        )
        self.env = {
            "PATH": os.environ["PATH"],
            **ENV,
            "MQTT_PORT": str(self.port),
            "DYNSEC_STORE": str(self.store),
            "MOSQUITTO_CONF": str(conf),
            "MOSQUITTO_BIN": find_mosquitto(),
            "DYNSEC_PROVISION": str(SCRIPT),
            "DATA_OWNER": "",  # the test's own user keeps its files
        }
        self.proc: subprocess.Popen[str] | None = None

    def start(self) -> None:
        self.proc = subprocess.Popen(
            ["sh", str(START)],
            env=self.env,
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
            text=True,
            start_new_session=True,
        )

    def device_connects(self, client_id: str, timeout: float = 30.0) -> str:
        deadline = time.monotonic() + timeout
        name = "no answer"
        while time.monotonic() < deadline:
            peer = Peer(
                self.port, ENV["MQTT_DEVICE_ID"], ENV["MQTT_DEVICE_PASSWORD"], client_id=client_id
            )
            try:
                name = peer.connect().getName()
            except OSError:
                time.sleep(0.2)
                continue
            if name == "Success":
                peer.close()
                return name
            if client_id != ENV["MQTT_DEVICE_ID"]:
                return name
            time.sleep(0.2)  # provisioning still running
        return name

    def stop(self) -> int:
        assert self.proc is not None
        self.proc.send_signal(signal.SIGTERM)
        try:
            return self.proc.wait(20)
        finally:
            if self.proc.poll() is None:
                os.killpg(self.proc.pid, signal.SIGKILL)
                self.proc.wait()


@pytest.fixture
def started(tmp_path: Path) -> Iterator[Started]:
    s = Started(tmp_path)
    s.start()
    try:
        yield s
    finally:
        if s.proc is not None and s.proc.poll() is None:
            os.killpg(s.proc.pid, signal.SIGKILL)
            s.proc.wait()


def test_first_start_provisions_a_bound_device_and_sigterm_stops_it(started: Started) -> None:
    assert started.device_connects(ENV["MQTT_DEVICE_ID"]) == "Success"
    assert started.device_connects("venue-twin-ingest") == "Not authorized"
    twin = Peer(started.port, "venue-twin", ENV["MQTT_TWIN_PASSWORD"], client_id="venue-twin-x")
    assert twin.connect().getName() == "Success"
    twin.close()
    assert started.stop() == 0
    output = started.proc.stdout.read() if started.proc and started.proc.stdout else ""
    for key, value in ENV.items():
        if key.endswith("_PASSWORD"):
            assert value not in output, key
    # A restart keeps what was provisioned and provisions nothing twice.
    started.start()
    assert started.device_connects(ENV["MQTT_DEVICE_ID"]) == "Success"
    assert started.stop() == 0
    again = started.proc.stdout.read() if started.proc and started.proc.stdout else ""
    assert "dynsec-provision" not in again, again


def _depends(service: dict[str, object]) -> set[str]:
    deps = service.get("depends_on") or {}
    assert isinstance(deps, dict)
    return set(deps)


def test_compose_runs_the_preflight_first_and_publishes_no_plain_mqtt() -> None:
    compose = yaml.safe_load((ROOT / "docker-compose.yml").read_text())
    services: dict[str, dict[str, object]] = compose["services"]
    assert services["preflight"]["entrypoint"] == ["/bin/sh", "/check-env.sh"]

    def reaches_preflight(name: str) -> bool:
        deps = _depends(services[name])
        return "preflight" in deps or any(reaches_preflight(d) for d in deps)

    for name in services:
        if name != "preflight":
            assert reaches_preflight(name), name
    assert services["mosquitto"]["ports"] == ["8883:8883"]
    for service in services.values():
        for port in service.get("ports", []) or []:  # type: ignore[attr-defined]
            assert not str(port).endswith(":1883"), port
