"""The simulator connects as a real device would: mutual TLS against the shipped broker config."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from simulators.errors import BrokerUnavailable
from simulators.mqtt_config import MqttConfig
from simulators.publisher import run_simulation
from tests.fixtures.certs import Pki, make_pki
from tests.fixtures.mosquitto import find_mosquitto
from tests.fixtures.shipped_mosquitto import (
    PASSWORDS,
    TWIN,
    VENUE_A,
    Peer,
    ShippedBroker,
    TlsListener,
    free_port,
)
from twin.loader import load_sample

pytestmark = pytest.mark.integration


@pytest.fixture(scope="module")
def mutual_tls(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[ShippedBroker, Pki]]:
    pki = make_pki(tmp_path_factory.mktemp("pki"))
    workdir = tmp_path_factory.mktemp("broker")
    server = ShippedBroker(
        find_mosquitto(), workdir, tls=TlsListener(free_port(), pki, require_certificate=True)
    )
    server.start()
    try:
        yield server, pki
    finally:
        server.stop()


def _device(server: ShippedBroker, pki: Pki, **overrides: object) -> MqttConfig:
    assert server.tls is not None
    options: dict[str, object] = {
        "host": "localhost",  # verified against the server certificate's names
        "port": server.tls.port,
        "username": VENUE_A,
        "password": PASSWORDS[VENUE_A],
        "client_id": VENUE_A,  # the device's bound client id
        "tls": True,
        "ca_file": str(pki.ca_cert),
        "cert_file": str(pki.client_cert),
        "key_file": str(pki.client_key),
        "connect_timeout_s": 5.0,
    }
    options.update(overrides)
    return MqttConfig(**options)  # type: ignore[arg-type]


async def test_the_simulator_publishes_over_mutual_tls(
    mutual_tls: tuple[ShippedBroker, Pki],
) -> None:
    server, pki = mutual_tls
    twin = Peer(server.port, TWIN, PASSWORDS[TWIN])
    assert twin.connect().value == 0
    try:
        twin.subscribe(f"venues/{VENUE_A}/batch")
        progress = await run_simulation(
            load_sample(VENUE_A), mqtt_config=_device(server, pki), duration_s=2.0
        )
        assert progress.messages > 0 and progress.readings > 0
        msg = twin.inbox.get(timeout=10)
        assert msg.topic == f"venues/{VENUE_A}/batch"
    finally:
        twin.close()


@pytest.mark.parametrize(
    "without", [{"cert_file": None, "key_file": None}, {"ca_file": None}], ids=["cert", "ca"]
)
async def test_without_its_certificate_or_the_ca_the_simulator_is_refused(
    mutual_tls: tuple[ShippedBroker, Pki], without: dict[str, object]
) -> None:
    server, pki = mutual_tls
    with pytest.raises(BrokerUnavailable):
        await run_simulation(
            load_sample(VENUE_A), mqtt_config=_device(server, pki, **without), duration_s=1.0
        )
