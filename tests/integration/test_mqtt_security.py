"""The shipped Mosquitto config and ACL, proven against a real broker.

The broker runs ``infra/mosquitto/mosquitto.conf`` with only its paths, ports
and log destination rewritten for the test, the shipped ``acl`` file as is,
and a password file made with ``mosquitto_passwd -b`` as docker-compose does.
"Never delivered" is shown without sleeping: the publisher sends a permitted
marker after the forbidden message on the same connection, and the broker
keeps one publisher's order, so once the marker has arrived the forbidden
message would have arrived before it.
"""

from __future__ import annotations

import queue
import shutil
import socket
import ssl
import subprocess
import threading
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import paho.mqtt.client as mqtt
import pytest
from paho.mqtt.enums import CallbackAPIVersion
from paho.mqtt.reasoncodes import ReasonCode

from ingest.contract import Reading, SensorStatus, Topics
from ingest.encode import encode_batch, encode_reading, encode_status
from tests.fixtures.certs import Pki, make_ca, make_pki
from tests.fixtures.mosquitto import MosquittoServer, find_mosquitto

pytestmark = pytest.mark.integration

SHIPPED = Path(__file__).resolve().parents[2] / "infra" / "mosquitto"
TOPICS = Topics()
TWIN, VENUE_A, VENUE_B = "venue-twin", "museum-wing", "scenic-site"
PASSWORDS = {TWIN: "twin-secret", VENUE_A: "wing-secret", VENUE_B: "scenic-secret"}
TIMEOUT = 10.0
# The commented TLS listener block of the shipped config.
_TLS_KEYS = ("listener", "cafile", "certfile", "keyfile", "require_certificate")


class ConfigDriftError(AssertionError):
    """The shipped config has a path or block this test does not know how to rewrite."""


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port: int = s.getsockname()[1]
        return port


@dataclass(frozen=True, slots=True)
class TlsListener:
    port: int
    pki: Pki
    require_certificate: bool = False


def derive_config(
    shipped: str, *, port: int, workdir: Path, password_file: Path, tls: TlsListener | None
) -> str:
    """The shipped config with loopback ports and temporary paths; everything else kept."""
    rewrite = {
        "listener": f"listener {port} 127.0.0.1",
        "persistence_location": f"persistence_location {workdir}/",
        "password_file": f"password_file {password_file}",
        "acl_file": f"acl_file {SHIPPED / 'acl'}",
        "log_dest": f"log_dest file {workdir}/mosquitto.log",
    }
    # The image runs as user mosquitto; here the test's own user owns the files.
    out = ["user root"]
    seen_tls = False
    for line in shipped.splitlines():
        words = line.lstrip("# ").split()
        commented = line.startswith("#")
        if commented and words and words[0] in _TLS_KEYS and "/" not in words[0]:
            seen_tls = True
            if tls is not None:
                out.append(_tls_line(words[0], tls))
        elif commented or not words:
            out.append(line)
        elif words[0] in rewrite:
            out.append(rewrite.pop(words[0]))
        elif " /mosquitto/" in line:
            raise ConfigDriftError(f"shipped mosquitto.conf has a path to rewrite: {line!r}")
        else:
            out.append(line)
    if rewrite or (tls is not None and not seen_tls):
        missing = list(rewrite) or ["the commented TLS listener"]
        raise ConfigDriftError(f"shipped mosquitto.conf no longer has {missing}")
    text = "\n".join(out) + "\n"
    return text


def _tls_line(key: str, tls: TlsListener) -> str:
    value = {
        "listener": f"{tls.port} 127.0.0.1",
        "cafile": str(tls.pki.ca_cert),
        "certfile": str(tls.pki.server_cert),
        "keyfile": str(tls.pki.server_key),
        "require_certificate": "true" if tls.require_certificate else "false",
    }[key]
    return f"{key} {value}"


@dataclass
class ShippedBroker(MosquittoServer):
    """Mosquitto running the shipped config and ACL, with test users."""

    tls: TlsListener | None = None
    users: dict[str, str] = field(default_factory=lambda: dict(PASSWORDS))

    def write_config(self) -> None:
        passwd = self.workdir / "passwd"
        tool = shutil.which("mosquitto_passwd") or "/usr/bin/mosquitto_passwd"
        create = ["-c"]
        for user, password in self.users.items():
            subprocess.run([tool, *create, "-b", str(passwd), user, password], check=True)
            create = []
        shipped = (SHIPPED / "mosquitto.conf").read_text()
        self.config_path.write_text(
            derive_config(
                shipped, port=self.port, workdir=self.workdir, password_file=passwd, tls=self.tls
            )
        )


class Peer:
    """An MQTT 5 client that records what it receives, driven synchronously."""

    def __init__(
        self,
        port: int,
        username: str | None,
        password: str | None = None,
        *,
        tls: ssl.SSLContext | None = None,
    ) -> None:
        self.port = port
        self.inbox: queue.Queue[mqtt.MQTTMessage] = queue.Queue()
        self._acks: dict[int, queue.Queue[ReasonCode]] = {}
        self._connack: queue.Queue[ReasonCode] = queue.Queue()
        self._suback: queue.Queue[list[ReasonCode]] = queue.Queue()
        self._lock = threading.Lock()
        c = mqtt.Client(callback_api_version=CallbackAPIVersion.VERSION2, protocol=mqtt.MQTTv5)
        if username is not None:
            c.username_pw_set(username, password)
        if tls is not None:
            c.tls_set_context(tls)
        c.on_connect = lambda _c, _u, _f, rc, _p: self._connack.put(rc)
        c.on_subscribe = lambda _c, _u, _m, rcs, _p: self._suback.put(list(rcs))
        c.on_message = lambda _c, _u, msg: self.inbox.put(msg)
        c.on_publish = self._on_publish
        self.client = c

    def _on_publish(self, _c: mqtt.Client, _u: Any, mid: int, rc: ReasonCode, _p: Any) -> None:
        with self._lock:
            self._acks.setdefault(mid, queue.Queue()).put(rc)

    def connect(self) -> ReasonCode:
        """CONNACK's reason code; the network loop runs only while connected."""
        self.client.connect("127.0.0.1", self.port)
        self.client.loop_start()
        rc = self._connack.get(timeout=TIMEOUT)
        if rc.is_failure:
            self.close()
        return rc

    def subscribe(self, topic_filter: str) -> ReasonCode:
        self.client.subscribe(topic_filter, qos=1)
        (rc,) = self._suback.get(timeout=TIMEOUT)
        return rc

    def publish(self, topic: str, payload: bytes, *, retain: bool = False) -> ReasonCode:
        """PUBACK's reason code (QoS 1)."""
        info = self.client.publish(topic, payload, qos=1, retain=retain)
        with self._lock:
            acks = self._acks.setdefault(info.mid, queue.Queue())
        return acks.get(timeout=TIMEOUT)

    def received_until(self, marker_topic: str) -> list[str]:
        """Topics received up to and including the marker; fails if it never comes."""
        topics: list[str] = []
        while True:
            msg = self.inbox.get(timeout=TIMEOUT)
            topics.append(msg.topic)
            if msg.topic == marker_topic:
                return topics

    def close(self) -> None:
        self.client.disconnect()
        self.client.loop_stop()


def _reading(venue: str, sensor: str, value: float) -> Reading:
    return Reading(venue, sensor, 1_700_000_000.0, value)


@pytest.fixture(scope="module")
def pki(tmp_path_factory: pytest.TempPathFactory) -> Pki:
    return make_pki(tmp_path_factory.mktemp("pki"))


@pytest.fixture(scope="module")
def broker(tmp_path_factory: pytest.TempPathFactory, pki: Pki) -> Iterator[ShippedBroker]:
    server = ShippedBroker(
        find_mosquitto(), tmp_path_factory.mktemp("shipped"), tls=TlsListener(_free_port(), pki)
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
        for user in (TWIN, VENUE_A, VENUE_B):
            out[user] = Peer(broker.port, user, PASSWORDS[user])
            assert out[user].connect().value == 0
        yield out
    finally:
        for p in out.values():
            p.close()


def _tls_context(ca: Path | None) -> ssl.SSLContext:
    """Verifying client context; ``None`` trusts only the system's CAs."""
    return ssl.create_default_context(cafile=str(ca) if ca is not None else None)


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
    ):
        assert device.publish(topic, b'{"id":"x","action":"open"}').getName() == "Not authorized"
    marker = TOPICS.sensor(VENUE_A, "marker")
    device.publish(marker, b"{}")
    assert twin.received_until(marker) == [marker]


def test_twin_commands_reach_only_the_devices_of_their_venue(peers: dict[str, Peer]) -> None:
    twin, device_a, device_b = peers[TWIN], peers[VENUE_A], peers[VENUE_B]
    # Greedy filters: the broker grants them but delivers only what the ACL allows.
    device_a.subscribe("venues/#")
    device_b.subscribe("venues/#")
    to_a, to_b = TOPICS.command(VENUE_A, "main-door"), TOPICS.command(VENUE_B, "gate-1")
    assert not twin.publish(to_b, b'{"id":"c1","action":"close"}').is_failure
    assert not twin.publish(TOPICS.twin(VENUE_A, "zones/entrance"), b"{}").is_failure
    assert not twin.publish(to_a, b'{"id":"c2","action":"close"}').is_failure
    assert device_a.received_until(to_a) == [to_a]
    assert device_b.received_until(to_b) == [to_b]


def test_a_device_cannot_read_another_venues_readings(peers: dict[str, Peer]) -> None:
    twin, device_a, device_b = peers[TWIN], peers[VENUE_A], peers[VENUE_B]
    device_a.subscribe("venues/#")
    # PUBACK comes after Mosquitto has queued the message for every subscriber,
    # so a later marker to the same subscriber arrives after it.
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
        broker.tls.port, VENUE_A, PASSWORDS[VENUE_A], tls=_tls_context(broker.tls.pki.ca_cert)
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
        peer = Peer(broker.tls.port, TWIN, PASSWORDS[TWIN], tls=_tls_context(trust))
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
