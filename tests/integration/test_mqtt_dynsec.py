"""Per-device credentials bound to client ids: the shipped dynamic-security option.

The shipped mosquitto.conf with its commented plugin block enabled, provisioned
by ``infra/mosquitto/dynsec-provision.sh`` exactly as docs/mqtt-security.md
tells operators. What the password-file setup cannot do (its strict xfail in
test_mqtt_security.py), this one must: a device credential cannot take over the
twin's session.
"""

from __future__ import annotations

import contextlib
import os
import queue
import secrets
import shutil
import subprocess
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

from ingest.contract import Topics
from tests.fixtures.mosquitto import find_mosquitto
from tests.fixtures.shipped_mosquitto import (
    SHIPPED,
    TIMEOUT,
    Peer,
    ShippedBroker,
    derive_config,
    dynsec_plugin,
)

pytestmark = pytest.mark.integration

TOPICS = Topics()
SCRIPT = SHIPPED / "dynsec-provision.sh"
WING, SCENIC = "museum-wing", "scenic-site"
SECRETS = {
    "admin": "admin-secret",
    "venue-twin": "twin-secret",
    "venue-twin-viewer": "viewer-secret",
    "gate-1": "gate-1-secret",
    "kiosk-1": "kiosk-1-secret",
}


@dataclass
class DynsecBroker(ShippedBroker):
    """The shipped config with dynamic security instead of the password file and ACL."""

    def write_config(self) -> None:
        store = self.workdir / "dynamic-security.json"
        ctrl = shutil.which("mosquitto_ctrl") or "/usr/bin/mosquitto_ctrl"
        subprocess.run(
            [ctrl, "dynsec", "init", str(store), "admin", SECRETS["admin"]],
            check=True,
            capture_output=True,
        )
        shipped = (SHIPPED / "mosquitto.conf").read_text()
        self.config_path.write_text(
            derive_config(
                shipped,
                port=self.port,
                workdir=self.workdir,
                password_file=self.workdir / "unused",
                tls=None,
                dynsec=store,
            )
        )

    def provision(
        self, *args: str, password: str | None = None
    ) -> subprocess.CompletedProcess[str]:
        files = {}
        for name, user in (
            ("DYNSEC_ADMIN_PASSWORD_FILE", "admin"),
            ("TWIN_PASSWORD_FILE", "venue-twin"),
            ("VIEWER_PASSWORD_FILE", "venue-twin-viewer"),
        ):
            path = self.workdir / f"{user}.pw"
            path.write_text(SECRETS[user] + "\n")
            files[name] = str(path)
        if password is not None:
            device = self.workdir / "device.pw"
            device.write_text(password + "\n")
            files["DEVICE_PASSWORD_FILE"] = str(device)
        path = f"{self._shim_dir()}{os.pathsep}{os.environ.get('PATH', '')}"
        env = {**os.environ, "MQTT_PORT": str(self.port), "PATH": path, **files}
        return subprocess.run(
            ["sh", str(SCRIPT), *args], env=env, capture_output=True, text=True, timeout=60
        )

    @property
    def argv_log(self) -> Path:
        return self.workdir / "mosquitto_ctrl-argv.log"

    def _shim_dir(self) -> Path:
        """A ``mosquitto_ctrl`` first on PATH that records its command line, as ``ps`` sees it."""
        shim_dir = self.workdir / "shim"
        shim = shim_dir / "mosquitto_ctrl"
        if not shim.exists():
            real = shutil.which("mosquitto_ctrl") or "/usr/bin/mosquitto_ctrl"
            shim_dir.mkdir()
            shim.write_text(
                f'#!/bin/sh\nprintf "%s\\n" "$*" >> "{self.argv_log}"\nexec "{real}" "$@"\n'
            )
            shim.chmod(0o755)
        return shim_dir


@pytest.fixture(scope="module")
def broker(tmp_path_factory: pytest.TempPathFactory) -> Iterator[DynsecBroker]:
    dynsec_plugin()  # fail clearly if the plugin is missing
    server = DynsecBroker(find_mosquitto(), tmp_path_factory.mktemp("dynsec"))
    server.start()
    try:
        steps = [
            (("base",), None),
            (("venue", WING), None),
            (("venue", SCENIC), None),
            (("device", WING, "gate-1"), SECRETS["gate-1"]),
            (("device", SCENIC, "kiosk-1"), SECRETS["kiosk-1"]),
        ]
        for args, password in steps:
            done = server.provision(*args, password=password)
            assert done.returncode == 0, done.stderr
        yield server
    finally:
        server.stop()


def _peer(broker: DynsecBroker, user: str, client_id: str, session_expiry_s: int = 0) -> Peer:
    return Peer(
        broker.port, user, SECRETS[user], client_id=client_id, session_expiry_s=session_expiry_s
    )


def _drain_briefly(peer: Peer) -> list[str]:
    topics: list[str] = []
    with contextlib.suppress(queue.Empty):
        while True:
            topics.append(peer.inbox.get(timeout=1.0).topic)
    return topics


def test_a_device_connects_only_under_its_own_client_id(broker: DynsecBroker) -> None:
    own = _peer(broker, "gate-1", "gate-1")
    assert own.connect().value == 0
    own.close()
    for other in ("venue-twin-ingest", "kiosk-1", ""):
        assert _peer(broker, "gate-1", other).connect().getName() == "Not authorized", other
    wrong = Peer(broker.port, "gate-1", "not-the-password", client_id="gate-1")
    assert wrong.connect().getName() == "Not authorized"


def test_a_device_cannot_take_over_the_twins_session(broker: DynsecBroker) -> None:
    """The scenario the password-file setup fails (its strict xfail), passing here."""
    cid = f"venue-twin-ingest-{secrets.token_hex(2)}"
    ingest = _peer(broker, "venue-twin", cid, session_expiry_s=600)
    assert ingest.connect().value == 0
    ingest.subscribe("venues/#")
    ingest.close()  # ingest down; its session keeps queueing
    sender = _peer(broker, "venue-twin", f"sender-{cid}")
    sender.connect()
    queued = TOPICS.command(WING, "main-door")
    sender.publish(queued, b'{"id":"c9","action":"close"}')
    sender.close()

    thief = _peer(broker, "gate-1", cid, session_expiry_s=600)
    assert thief.connect().getName() == "Not authorized"
    ingest = _peer(broker, "venue-twin", cid, session_expiry_s=600)
    ingest.connect()
    kept = _drain_briefly(ingest)
    ingest.close()
    assert kept == [queued]


def test_devices_publish_only_their_venue_and_the_twin_reads_them_shared(
    broker: DynsecBroker,
) -> None:
    twin = _peer(broker, "venue-twin", "venue-twin-ingest-1")
    assert twin.connect().value == 0
    # Ingest workers read through a shared subscription.
    assert twin.subscribe("$share/ingest/venues/+/batch").value <= 2
    gate = _peer(broker, "gate-1", "gate-1")
    gate.connect()
    try:
        assert gate.publish(TOPICS.batch(WING), b"{}").value < 0x80
        for forbidden in (
            TOPICS.batch(SCENIC),
            TOPICS.command(WING, "main-door"),
            TOPICS.twin(WING, "snapshot"),
        ):
            assert gate.publish(forbidden, b"{}").getName() == "Not authorized", forbidden
        assert twin.inbox.get(timeout=TIMEOUT).topic == TOPICS.batch(WING)
        assert _drain_briefly(twin) == []
    finally:
        gate.close()
        twin.close()


def test_twin_commands_reach_only_the_devices_of_their_venue(broker: DynsecBroker) -> None:
    gate, kiosk = _peer(broker, "gate-1", "gate-1"), _peer(broker, "kiosk-1", "kiosk-1")
    twin = _peer(broker, "venue-twin", "venue-twin-commands")
    for p in (gate, kiosk, twin):
        assert p.connect().value == 0
    try:
        wing_commands = f"venues/{WING}/commands/+"
        assert gate.subscribe(wing_commands).value <= 2
        # Another venue's commands, or every venue's, are refused at subscribe.
        assert kiosk.subscribe(wing_commands).getName() == "Not authorized"
        assert gate.subscribe("venues/+/commands/+").getName() == "Not authorized"
        assert kiosk.subscribe(f"venues/{SCENIC}/commands/+").value <= 2
        assert twin.publish(TOPICS.command(WING, "main-door"), b"{}").value == 0
        assert gate.inbox.get(timeout=TIMEOUT).topic == TOPICS.command(WING, "main-door")
        assert _drain_briefly(kiosk) == []
    finally:
        for p in (gate, kiosk, twin):
            p.close()


def test_the_viewer_user_reads_twin_state_and_writes_only_actions(broker: DynsecBroker) -> None:
    viewer = _peer(broker, "venue-twin-viewer", "venue-twin-viewer-1")
    assert viewer.connect().value == 0
    try:
        # Allowed (0x10 "no matching subscribers" is a success: no twin listens here).
        assert viewer.publish(TOPICS.twin(WING, "actions"), b"{}").value < 0x80
        assert viewer.publish(TOPICS.twin(WING, "resync"), b"{}").value < 0x80
        for forbidden in (TOPICS.twin(WING, "snapshot"), TOPICS.command(WING, "main-door")):
            assert viewer.publish(forbidden, b"{}").getName() == "Not authorized", forbidden
    finally:
        viewer.close()


def test_the_script_refuses_ids_that_would_widen_a_topic(broker: DynsecBroker) -> None:
    for bad in ("+", "#", "a/b", "", "-x"):
        done = broker.provision("device", WING, bad, password="pw")
        assert done.returncode == 2 and "not a venue or device id" in done.stderr, bad
    again = broker.provision("device", WING, "gate-1", password="pw")
    assert again.returncode == 2 and "gate-1" in again.stderr  # already exists: said, not hidden


def test_no_password_is_ever_on_a_command_line(broker: DynsecBroker) -> None:
    """Every mosquitto_ctrl the script ran, as ``ps`` would have shown it (issue 17 item 11)."""
    lines = broker.argv_log.read_text().splitlines()
    assert sum("createClient" in line for line in lines) >= 4  # base: 2, devices: 2
    for secret in SECRETS.values():
        assert not [line for line in lines if secret in line], secret
    assert not [line for line in lines if " -P " in f" {line} "]  # no password flag at all
