"""The shipped Mosquitto config and its dynamic-security roles, proven against a real broker.

The broker runs ``infra/mosquitto/mosquitto.conf`` with only its paths, ports
and log destination rewritten (``tests/fixtures/shipped_mosquitto.py``),
provisioned by the shipped ``dynsec-provision.sh``: one device per venue,
bound to its own client id.
"Never delivered" is shown without sleeping: after the forbidden publish has
been answered (PUBACK comes once Mosquitto has routed the message), a
permitted marker is sent to the same subscriber; once the marker has arrived,
the forbidden message would have arrived before it.
"""

from __future__ import annotations

import contextlib
import queue
import secrets
import socket
import ssl
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import paho.mqtt.client as mqtt
import pytest
from paho.mqtt.enums import CallbackAPIVersion
from paho.mqtt.reasoncodes import ReasonCode

from ingest.contract import Reading, SensorStatus, Topics
from ingest.encode import encode_batch, encode_reading, encode_status
from tests.fixtures.certs import Pki, make_ca, make_pki
from tests.fixtures.mosquitto import find_mosquitto
from tests.fixtures.shipped_mosquitto import (
    PASSWORDS,
    SHIPPED,
    TIMEOUT,
    TWIN,
    VENUE_A,
    VENUE_B,
    VIEWER,
    ConfigDriftError,
    Peer,
    ShippedBroker,
    TlsListener,
    derive_config,
    free_port,
    tls_context,
)

pytestmark = pytest.mark.integration

TOPICS = Topics()


def _reading(venue: str, sensor: str, value: float) -> Reading:
    return Reading(venue, sensor, 1_700_000_000.0, value)


@pytest.fixture(scope="module")
def pki(tmp_path_factory: pytest.TempPathFactory) -> Pki:
    return make_pki(tmp_path_factory.mktemp("pki"))


@pytest.fixture(scope="module")
def broker(tmp_path_factory: pytest.TempPathFactory, pki: Pki) -> Iterator[ShippedBroker]:
    server = ShippedBroker(
        find_mosquitto(),
        tmp_path_factory.mktemp("shipped"),
        tls=TlsListener(free_port(), pki),
    )
    server.start()
    try:
        yield server
    finally:
        server.stop()


@pytest.fixture
def peers(broker: ShippedBroker) -> Iterator[dict[str, Peer]]:
    """Connected twin and device peers, keyed by user name."""
    out: dict[str, Peer] = {}
    try:
        for user in (TWIN, VENUE_A, VENUE_B, VIEWER):
            out[user] = Peer(broker.port, user, PASSWORDS[user])
            assert out[user].connect().value == 0
        yield out
    finally:
        for p in out.values():
            p.close()


# -- authorisation: the shipped ACL ---------------------------------------------


def test_a_device_publishes_its_own_venue_and_the_twin_receives_it(
    peers: dict[str, Peer],
) -> None:
    twin, device = peers[TWIN], peers[VENUE_A]
    assert not twin.subscribe("venues/#").is_failure
    sent = {
        TOPICS.sensor(VENUE_A, "gallery-a-temp"): encode_reading(
            _reading(VENUE_A, "gallery-a-temp", 21.5)
        ),
        TOPICS.batch(VENUE_A): encode_batch(
            [_reading(VENUE_A, "gallery-a-rh", 48.0), _reading(VENUE_A, "gallery-a-co2", 612.0)]
        ),
        TOPICS.status(VENUE_A, "gallery-a-lux"): encode_status(SensorStatus.ONLINE, 0.0),
        TOPICS.command_ack(VENUE_A, "main-door"): b'{"v":1,"id":"c1","ok":true,"ts":0}',
    }
    for topic, payload in sent.items():
        assert not device.publish(topic, payload).is_failure, topic
    got = twin.received_until(TOPICS.command_ack(VENUE_A, "main-door"))
    assert got == list(sent)


def test_a_device_cannot_publish_into_another_venue(peers: dict[str, Peer]) -> None:
    twin, device = peers[TWIN], peers[VENUE_A]
    twin.subscribe("venues/#")
    forbidden = [
        TOPICS.sensor(VENUE_B, "valley-temp"),
        TOPICS.batch(VENUE_B),
        TOPICS.status(VENUE_B, "valley-temp"),
        TOPICS.command_ack(VENUE_B, "gate-1"),
        "venues/sensors/x",  # no venue level at all
    ]
    for topic in forbidden:
        assert device.publish(topic, b'{"value": 1, "ts": 0}').getName() == "Not authorized"
    marker = TOPICS.sensor(VENUE_A, "marker")
    device.publish(marker, b'{"value": 0, "ts": 0}')
    assert twin.received_until(marker) == [marker]


def test_devices_cannot_publish_commands_or_twin_state(peers: dict[str, Peer]) -> None:
    twin, device = peers[TWIN], peers[VENUE_A]
    twin.subscribe("venues/#")
    for topic in (
        TOPICS.command(VENUE_A, "main-door"),
        TOPICS.command(VENUE_B, "gate-1"),
        TOPICS.twin(VENUE_A, "zones/entrance"),
        TOPICS.twin(VENUE_A, "snapshot"),
        TOPICS.twin(VENUE_A, "actions"),
        TOPICS.twin(VENUE_A, "replies/venue-twin-viewer-1"),
    ):
        assert device.publish(topic, b'{"id":"x","action":"open"}').getName() == "Not authorized"
    marker = TOPICS.sensor(VENUE_A, "marker")
    device.publish(marker, b"{}")
    assert twin.received_until(marker) == [marker]


def test_a_viewer_mirrors_twin_state_and_forwards_only_actions(peers: dict[str, Peer]) -> None:
    twin, viewer = peers[TWIN], peers[VIEWER]
    # Only the twin topics: a wider subscription is refused outright.
    assert viewer.subscribe("venues/#").getName() == "Not authorized"
    assert viewer.subscribe("venues/+/twin/#").value <= 2
    twin.subscribe("venues/+/twin/#")
    assert not viewer.publish(TOPICS.twin(VENUE_A, "actions"), b"{}").is_failure
    assert not viewer.publish(TOPICS.twin(VENUE_B, "resync"), b"{}").is_failure
    assert twin.received_until(TOPICS.twin(VENUE_B, "resync")) == [
        TOPICS.twin(VENUE_A, "actions"),
        TOPICS.twin(VENUE_B, "resync"),
    ]
    assert not peers[VENUE_A].publish(TOPICS.sensor(VENUE_A, "gallery-a-temp"), b"{}").is_failure
    state = [
        TOPICS.twin(VENUE_A, "snapshot"),
        TOPICS.twin(VENUE_A, "delta"),
        TOPICS.twin(VENUE_A, "replies/venue-twin-viewer-1"),
    ]
    for topic in state:
        assert not twin.publish(topic, b"{}").is_failure
    got = viewer.received_until(state[-1])
    assert got[-len(state) :] == state
    # Its own action is echoed (it reads twin/#); the device's reading is not.
    assert set(got) - set(state) <= {
        TOPICS.twin(VENUE_A, "actions"),
        TOPICS.twin(VENUE_B, "resync"),
    }


def test_a_viewer_cannot_forge_twin_state_commands_or_readings(peers: dict[str, Peer]) -> None:
    twin, viewer = peers[TWIN], peers[VIEWER]
    viewer.subscribe("venues/+/twin/#")
    twin.subscribe("venues/#")
    for topic in (
        TOPICS.twin(VENUE_A, "snapshot"),
        TOPICS.twin(VENUE_A, "delta"),
        TOPICS.twin(VENUE_A, "replies/venue-twin-viewer-2"),
        TOPICS.command(VENUE_A, "main-door"),
        TOPICS.sensor(VENUE_A, "gallery-a-temp"),
        TOPICS.batch(VENUE_A),
    ):
        assert viewer.publish(topic, b"{}").getName() == "Not authorized", topic
    marker = TOPICS.twin(VENUE_A, "actions")
    viewer.publish(marker, b"{}")
    assert twin.received_until(marker) == [marker]


def test_twin_commands_reach_only_the_devices_of_their_venue(peers: dict[str, Peer]) -> None:
    twin, device_a, device_b = peers[TWIN], peers[VENUE_A], peers[VENUE_B]
    # Greedy filters are refused; each device may read only its own venue's commands.
    for device in (device_a, device_b):
        assert device.subscribe("venues/#").getName() == "Not authorized"
        assert device.subscribe("venues/+/commands/+").getName() == "Not authorized"
    assert device_a.subscribe(f"venues/{VENUE_A}/commands/+").value <= 2
    assert device_b.subscribe(f"venues/{VENUE_B}/commands/+").value <= 2
    to_a, to_b = TOPICS.command(VENUE_A, "main-door"), TOPICS.command(VENUE_B, "gate-1")
    assert not twin.publish(to_b, b'{"id":"c1","action":"close"}').is_failure
    assert not twin.publish(TOPICS.twin(VENUE_A, "zones/entrance"), b"{}").is_failure
    assert not twin.publish(to_a, b'{"id":"c2","action":"close"}').is_failure
    assert device_a.received_until(to_a) == [to_a]
    assert device_b.received_until(to_b) == [to_b]


def test_a_device_cannot_read_another_venues_readings(peers: dict[str, Peer]) -> None:
    twin, device_a, device_b = peers[TWIN], peers[VENUE_A], peers[VENUE_B]
    # Subscribing to more than its own commands is refused outright...
    assert device_a.subscribe("venues/#").getName() == "Not authorized"
    assert device_a.subscribe(f"venues/{VENUE_B}/sensors/#").getName() == "Not authorized"
    assert device_a.subscribe(f"venues/{VENUE_A}/commands/+").value <= 2
    # ...and nothing of another venue arrives through what it may read. PUBACK
    # comes after Mosquitto has queued the message for every subscriber, so a
    # later marker to the same subscriber arrives after it.
    assert not device_b.publish(TOPICS.sensor(VENUE_B, "valley-temp"), b"{}").is_failure
    assert not device_b.publish(TOPICS.batch(VENUE_B), b"{}").is_failure
    marker = TOPICS.command(VENUE_A, "marker")
    twin.publish(marker, b"{}")
    assert device_a.received_until(marker) == [marker]


# -- authentication --------------------------------------------------------------


@pytest.mark.parametrize(
    ("username", "password"),
    [
        (TWIN, "not-the-password"),
        (VENUE_A, PASSWORDS[TWIN]),  # another user's password
        ("nobody", "anything"),
        (None, None),  # anonymous
    ],
    ids=["wrong-password", "someone-elses-password", "unknown-user", "anonymous"],
)
def test_bad_credentials_are_refused(
    broker: ShippedBroker, username: str | None, password: str | None
) -> None:
    assert Peer(broker.port, username, password).connect().getName() == "Not authorized"


def test_mqtt_311_clients_are_refused_as_not_authorised(broker: ShippedBroker) -> None:
    refused: queue.Queue[ReasonCode] = queue.Queue()
    c = mqtt.Client(callback_api_version=CallbackAPIVersion.VERSION2, protocol=mqtt.MQTTv311)
    c.username_pw_set(VENUE_A, "not-the-password")
    c.on_connect = lambda _c, _u, _f, rc, _p: refused.put(rc)
    c.connect("127.0.0.1", broker.port)
    c.loop_start()
    try:
        # MQTT 3.1.1 CONNACK return code 5: "not authorised".
        assert refused.get(timeout=TIMEOUT).getName() == "Not authorized"
    finally:
        c.disconnect()
        c.loop_stop()


def test_the_compose_healthcheck_passes_for_the_twin_user(broker: ShippedBroker) -> None:
    """docker-compose starts the app only once the twin user reads ``$SYS/broker/uptime``
    (``mosquitto_sub -u venue-twin -t '$SYS/broker/uptime' -C 1 -W 3``)."""
    twin = Peer(broker.port, TWIN, PASSWORDS[TWIN])
    assert twin.connect().value == 0
    try:
        twin.subscribe("$SYS/broker/uptime")
        uptime = twin.inbox.get(timeout=3)  # the healthcheck's -W 3
        assert uptime.payload.decode().endswith("seconds")
    finally:
        twin.close()


# -- TLS -------------------------------------------------------------------------


def test_a_client_trusting_the_ca_connects_over_tls(broker: ShippedBroker) -> None:
    assert broker.tls is not None
    peer = Peer(
        broker.tls.port, VENUE_A, PASSWORDS[VENUE_A], tls=tls_context(broker.tls.pki.ca_cert)
    )
    assert peer.connect().value == 0
    try:
        assert not peer.publish(TOPICS.sensor(VENUE_A, "gallery-a-temp"), b"{}").is_failure
    finally:
        peer.close()


def test_a_client_without_the_ca_fails_verification(broker: ShippedBroker, tmp_path: Path) -> None:
    assert broker.tls is not None
    other_ca, _ = make_ca(tmp_path, "impostor-ca")
    for trust in (None, other_ca):
        peer = Peer(broker.tls.port, TWIN, PASSWORDS[TWIN], tls=tls_context(trust))
        with pytest.raises(ssl.SSLCertVerificationError):
            peer.connect()


def test_the_tls_listener_refuses_plain_mqtt(broker: ShippedBroker) -> None:
    assert broker.tls is not None
    # A minimal MQTT 3.1.1 CONNECT: on a plain listener it gets a CONNACK.
    connect = b"\x10\x0c\x00\x04MQTT\x04\x02\x00\x3c\x00\x00"
    answers = []
    for port in (broker.port, broker.tls.port):
        with socket.create_connection(("127.0.0.1", port), timeout=TIMEOUT) as s:
            s.sendall(connect)
            try:
                answers.append(s.recv(4)[:1])
            except ConnectionResetError:
                answers.append(b"")
    # CONNACK (refused: anonymous) in plain text; the TLS listener just hangs up.
    assert answers == [b"\x20", b""]


# -- sessions ----------------------------------------------------------------------


def test_a_device_cannot_take_over_the_twins_session(broker: ShippedBroker) -> None:
    """What a device credential must not be able to do: resume the ingest's session,
    read what was queued for it, and so make the ingest lose it."""
    cid = f"venue-twin-ingest-{secrets.token_hex(2)}"
    ingest = Peer(broker.port, TWIN, PASSWORDS[TWIN], client_id=cid, session_expiry_s=600)
    assert ingest.connect().value == 0
    ingest.subscribe("venues/#")
    ingest.close()  # ingest down; its session keeps queueing
    sender = Peer(broker.port, TWIN, PASSWORDS[TWIN])
    sender.connect()
    queued = TOPICS.command(VENUE_A, "main-door")
    sender.publish(queued, b'{"id":"c9","action":"close"}')
    sender.close()

    thief = Peer(broker.port, VENUE_A, PASSWORDS[VENUE_A], client_id=cid, session_expiry_s=600)
    thief_refused = thief.connect().is_failure
    stolen = [] if thief_refused else _drain_briefly(thief)
    thief.close()
    ingest = Peer(broker.port, TWIN, PASSWORDS[TWIN], client_id=cid, session_expiry_s=600)
    ingest.connect()
    kept = _drain_briefly(ingest)
    ingest.close()
    assert (stolen, kept) == ([], [queued])


def _drain_briefly(peer: Peer) -> list[str]:
    topics: list[str] = []
    with contextlib.suppress(queue.Empty):
        while True:
            topics.append(peer.inbox.get(timeout=1.0).topic)
    return topics


def test_the_shipped_config_has_plain_mqtt_only_on_loopback(tmp_path: Path, pki: Pki) -> None:
    """derive_config (which every broker test uses) refuses a public plain listener."""
    shipped = (SHIPPED / "mosquitto.conf").read_text()
    kw: dict[str, Any] = {"port": 1, "workdir": tmp_path, "store": tmp_path / "d.json"}
    derived = derive_config(shipped, tls=TlsListener(2, pki), **kw)
    assert "listener 1 127.0.0.1" in derived and "listener 2 127.0.0.1" in derived
    public_plain = shipped.replace("listener 1883 127.0.0.1", "listener 1883 0.0.0.0")
    with pytest.raises(ConfigDriftError):
        derive_config(public_plain, tls=None, **kw)
    without_tls = shipped.replace("certfile /mosquitto/certs/server.crt", "# no certfile")
    with pytest.raises(ConfigDriftError, match="lacks TLS"):
        derive_config(without_tls, tls=None, **kw)
    legacy = shipped + "password_file /mosquitto/data/passwd\n"
    with pytest.raises(ConfigDriftError):
        derive_config(legacy, tls=None, **kw)
