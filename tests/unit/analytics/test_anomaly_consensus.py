"""Zone consensus tells one failing sensor from a change of the whole room."""

from __future__ import annotations

import numpy as np
import pytest

from twin.analytics.anomaly import (
    AnomalyConfigError,
    ConsensusConfig,
    DetectionKind,
    UnknownSensorError,
    ZoneConsensus,
)

SENSORS = ["t1", "t2", "t3", "t4", "t5"]


def _feed(
    zone: ZoneConsensus, offsets: dict[int, dict[str, float]], rounds: int
) -> list[tuple[int, str]]:
    """Round-robin readings around 21 C; ``offsets[round][sensor]`` adds from that round on."""
    rng = np.random.default_rng(3)
    current = dict.fromkeys(SENSORS, 0.0)
    out: list[tuple[int, str]] = []
    for r in range(rounds):
        current.update(offsets.get(r, {}))
        for k, sensor in enumerate(SENSORS):
            value = 21.0 + current[sensor] + rng.normal(0.0, 0.1)
            for d in zone.update(sensor, r * 60.0 + k, value):
                assert d.kind is DetectionKind.ZONE_DISAGREEMENT
                out.append((r, d.sensor))
    return out


def _zone() -> ZoneConsensus:
    return ZoneConsensus(SENSORS, ConsensusConfig(zone="gallery-1", kind="temperature", unit=" C"))


def test_one_sensor_off_the_consensus_is_reported_after_persisting() -> None:
    found = _feed(_zone(), {20: {"t3": 4.0}}, rounds=40)
    assert found == [(22, "t3")]  # persist = 3 readings: rounds 20, 21, 22


def test_whole_room_change_is_not_disagreement() -> None:
    found = _feed(_zone(), {20: dict.fromkeys(SENSORS, 4.0)}, rounds=40)
    assert found == []


def test_explanation_names_the_consensus() -> None:
    zone = _zone()
    for r in range(3):
        for k, sensor in enumerate(SENSORS):
            found = zone.update(sensor, r * 60.0 + k, 30.0 if sensor == "t1" else 21.0)
    # Round 0 had no neighbours yet; rounds 1 and 2 disagreed; this is the third.
    found = zone.update("t1", 500.0, 30.0)
    assert len(found) == 1
    assert "4 other temperature sensors in zone gallery-1 agree on 21 C" in found[0].explanation
    assert zone.update("t1", 560.0, 30.0) == []  # once per run
    z, median, scale, count = zone.deviation("t1", 500.0, 30.0)
    assert (median, count) == (21.0, 4)
    assert z == pytest.approx(9.0 / scale)


def test_stale_neighbours_do_not_make_a_consensus() -> None:
    zone = _zone()
    for k, sensor in enumerate(SENSORS[1:]):
        zone.update(sensor, float(k), 21.0)
    z, *_ = zone.deviation("t1", 5000.0, 30.0)
    assert np.isnan(z)


def test_unknown_sensor_and_bad_group() -> None:
    with pytest.raises(UnknownSensorError):
        _zone().update("nope", 0.0, 1.0)
    with pytest.raises(AnomalyConfigError):
        ZoneConsensus(["a", "b", "c"])
