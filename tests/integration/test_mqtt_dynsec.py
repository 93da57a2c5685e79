"""Per-device credentials bound to client ids: the shipped dynamic security.

The shipped mosquitto.conf, provisioned by ``infra/mosquitto/dynsec-provision.sh``
exactly as docs/mqtt-security.md tells operators, with devices named apart
from their venues: a device credential works only under its own client id, so
it cannot take over the twin's session, and no password is ever on a command
line.
"""

from __future__ import annotations

import contextlib
import queue
import secrets
import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest

from ingest.contract import Topics
from tests.fixtures.mosquitto import find_mosquitto
from tests.fixtures.shipped_mosquitto import (
    ADMIN_PASSWORD,
    PASSWORDS,
    TIMEOUT,
    Peer,
    ShippedBroker,
    dynsec_plugin,
)

pytestmark = pytest.mark.integration

TOPICS = Topics()
WING, SCENIC = "museum-wing", "scenic-site"
SECRETS = {
    "venue-twin": "twin-secret-2",
    "venue-twin-viewer": "viewer-secret-2",
    "gate-1": "gate-1-secret",
    "kiosk-1": "kiosk-1-secret",
}


SHIM = """#!/bin/sh
printf "%s\\n" "$*" >> "{log}"
exec "{real}" "$@"
"""


def _recording_shim(workdir: Path) -> Path:
    """A ``mosquitto_ctrl`` first on PATH that records its command line, as ``ps`` sees it."""
    shim_dir = workdir / "shim"
    shim_dir.mkdir()
    shim = shim_dir / "mosquitto_ctrl"
    real = shutil.which("mosquitto_ctrl") or "/usr/bin/mosquitto_ctrl"
    shim.write_text(SHIM.format(log=workdir / "mosquitto_ctrl-argv.log", real=real))
    shim.chmod(0o755)
    return shim_dir


@pytest.fixture(scope="module")
def broker(tmp_path_factory: pytest.TempPathFactory) -> Iterator[ShippedBroker]:
    dynsec_plugin()  # fail clearly if the plugin is missing
    workdir = tmp_path_factory.mktemp("dynsec")
    server = ShippedBroker(
        find_mosquitto(),
        workdir,
        passwords={**PASSWORDS, **SECRETS},
        devices={"gate-1": WING, "kiosk-1": SCENIC},
        path_prefix=_recording_shim(workdir),
    )
    server.start()  # provisions with the shipped script, through the shim
    try:
        yield server
    finally:
        server.stop()


def _peer(broker: ShippedBroker, user: str, client_id: str, session_expiry_s: int = 0) -> Peer:
    return Peer(
        broker.port, user, SECRETS[user], client_id=client_id, session_expiry_s=session_expiry_s
    )


def _drain_briefly(peer: Peer) -> list[str]:
    topics: list[str] = []
    with contextlib.suppress(queue.Empty):
        while True:
            topics.append(peer.inbox.get(timeout=1.0).topic)
    return topics


def test_a_device_connects_only_under_its_own_client_id(broker: ShippedBroker) -> None:
    own = _peer(broker, "gate-1", "gate-1")
    assert own.connect().value == 0
    own.close()
    for other in ("venue-twin-ingest", "kiosk-1", ""):
        assert _peer(broker, "gate-1", other).connect().getName() == "Not authorized", other
    wrong = Peer(broker.port, "gate-1", "not-the-password", client_id="gate-1")
    assert wrong.connect().getName() == "Not authorized"


def test_a_device_cannot_take_over_the_twins_session(broker: ShippedBroker) -> None:
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
    broker: ShippedBroker,
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


def test_twin_commands_reach_only_the_devices_of_their_venue(broker: ShippedBroker) -> None:
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


def test_the_viewer_user_reads_twin_state_and_writes_only_actions(broker: ShippedBroker) -> None:
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


def test_the_script_refuses_ids_that_would_widen_a_topic(broker: ShippedBroker) -> None:
    for bad in ("+", "#", "a/b", "", "-x"):
        done = broker.provision("device", WING, bad, password="pw")
        assert done.returncode == 2 and "not a venue or device id" in done.stderr, bad
    again = broker.provision("device", WING, "gate-1", password="pw")
    assert again.returncode == 2 and "gate-1" in again.stderr  # already exists: said, not hidden


def test_no_password_is_ever_on_a_command_line(broker: ShippedBroker) -> None:
    """Every mosquitto_ctrl the script ran, as ``ps`` would have shown it (issue 17 item 11)."""
    lines = (broker.workdir / "mosquitto_ctrl-argv.log").read_text().splitlines()
    assert sum("createClient" in line for line in lines) >= 4  # base: 2, devices: 2
    for secret in [ADMIN_PASSWORD, *SECRETS.values()]:
        assert not [line for line in lines if secret in line], secret
    assert not [line for line in lines if " -P " in f" {line} "]  # no password flag at all
