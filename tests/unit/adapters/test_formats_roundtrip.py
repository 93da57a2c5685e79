"""What the simulator publishes in each format reads back, through the matching
adapter, as the same readings in the venue's units."""

from __future__ import annotations

import pytest

from ingest.adapters import AdapterDecoder, AdapterSpec
from ingest.contract import SensorStatus, Topics
from ingest.decode import Decoder
from simulators.formats import FORMATS, PayloadFormat
from simulators.simulator import VenueSimulator
from twin.loader import load_sample


@pytest.mark.parametrize("fmt", FORMATS)
def test_each_format_round_trips_through_its_adapter(fmt: str) -> None:
    venue = load_sample("museum-wing")
    start = 1_700_000_000.0
    sim = VenueSimulator(venue, seed=3, start=start)
    readings = sim.step(600.0)
    assert readings
    enc = PayloadFormat(fmt, venue)
    known = {s.id for s in venue.sensors}
    topics = Topics()
    dec = AdapterDecoder(
        topics,
        Decoder(topics),
        [AdapterSpec.model_validate(enc.adapter_spec())],
        known_sensor=lambda v, s: s in known,
        canonical=lambda v, s: venue.sensor_by_id[s].resolved_unit if s in known else None,
    )
    got = []
    for topic, payload, _retain in enc.readings(readings):
        res = dec.decode(topic, payload, start + 600.0)
        assert not res.rejected, res.rejected[:1]
        got.extend(res.readings)
    assert not dec.unplaced  # every simulated device maps onto its venue sensor
    want = sorted((r.sensor, r.value) for r in readings)
    have = sorted((r.sensor, r.value) for r in got)
    assert [s for s, _ in have] == [s for s, _ in want]
    assert [v for _, v in have] == pytest.approx([v for _, v in want], abs=1e-3)
    if fmt != "ha_statestream":  # Statestream carries no device time
        assert sorted(r.ts for r in got) == pytest.approx(sorted(r.ts for r in readings), abs=1e-3)


@pytest.mark.parametrize("fmt", ["zigbee2mqtt", "sparkplug", "ha_statestream"])
def test_offline_devices_reach_their_sensors(fmt: str) -> None:
    venue = load_sample("museum-wing")
    enc = PayloadFormat(fmt, venue)
    topics = Topics()
    dec = AdapterDecoder(topics, Decoder(topics), [AdapterSpec.model_validate(enc.adapter_spec())])
    sensor = venue.sensors[0].id
    now = 1_700_000_000.0
    statuses = []
    for topic, payload, _ in enc.status(sensor, SensorStatus.OFFLINE, now):
        statuses.extend(dec.decode(topic, payload, now).statuses)
    assert [(s.sensor, s.status) for s in statuses] == [(sensor, SensorStatus.OFFLINE)]
