"""Operators see each device's radio and battery health: a LoRaWAN uplink's best
gateway, RSSI and SNR and a Zigbee2MQTT battery reach the REST answer, with
weak-signal and low-battery flags."""

from __future__ import annotations

import json
from pathlib import Path

from fastapi.testclient import TestClient

from ingest.adapters import AdapterDecoder, AdapterSpec
from ingest.contract import Topics
from ingest.decode import Decoder
from tests.unit.test_viewer_support import PASSWORDS, V, app_of, make_rig

NOW = 1_760_000_000.0


def _decoder() -> AdapterDecoder:
    topics = Topics("venue")
    specs = [
        AdapterSpec.model_validate({"format": "chirpstack", "venue": V}),
        AdapterSpec.model_validate({"format": "zigbee2mqtt", "venue": V}),
    ]
    return AdapterDecoder(topics, Decoder(topics), specs)


def _chirpstack(rssi: int, snr: float) -> bytes:
    # Shape of ChirpStack v4's "up" event (docs: Integrations > Events > up).
    return json.dumps(
        {
            "deviceInfo": {"devEui": "0101010101010101", "deviceName": "case-3"},
            "object": {"temperature": 20.5},
            "rxInfo": [
                {"gatewayId": "0016c001ff10a235", "rssi": rssi - 9, "snr": snr - 3},
                {"gatewayId": "0016c001ff10d3f6", "rssi": rssi, "snr": snr},
            ],
        }
    ).encode()


def _login(c: TestClient, name: str) -> dict[str, str]:
    res = c.post("/api/auth/login", json={"username": name, "password": PASSWORDS[name][1]})
    return {"Authorization": f"Bearer {res.json()['token']}"}


def test_rest_lists_reception_and_battery_with_flags(tmp_path: Path) -> None:
    dec = _decoder()
    up = dec.decode("application/1/device/0101010101010101/event/up", _chirpstack(-118, 2.5), NOW)
    assert not up.rejected, up.rejected
    z2m = json.dumps({"temperature": 21.0, "linkquality": 120, "battery": 12}).encode()
    assert not dec.decode("zigbee2mqtt/vitrine-7", z2m, NOW).rejected
    rig = make_rig(tmp_path)
    rig.ctx.device_health = dec.health_of
    with TestClient(app_of(rig)) as c:
        res = c.get(f"/api/venues/{V}/device-health", headers=_login(c, "ada"))
        assert res.status_code == 200, res.text
        rows = {r["sensor"]: r for r in res.json()}
        assert (
            c.get("/api/venues/nowhere/device-health", headers=_login(c, "ada")).status_code == 404
        )
        assert c.get(f"/api/venues/{V}/device-health").status_code == 401
    lora = next(r for s, r in rows.items() if s.startswith("0101010101010101"))
    assert (lora["rssi_dbm"], lora["snr_db"], lora["gateway"]) == (-118.0, 2.5, "0016c001ff10d3f6")
    assert lora["weak_signal"] is True and lora["low_battery"] is False
    zig = next(r for s, r in rows.items() if s.startswith("vitrine-7"))
    assert (zig["link_quality"], zig["battery"]) == (120.0, 12.0)
    assert zig["weak_signal"] is False and zig["low_battery"] is True


def test_good_link_is_not_flagged_and_other_venues_stay_apart(tmp_path: Path) -> None:
    dec = _decoder()
    dec.decode("application/1/device/0101010101010101/event/up", _chirpstack(-80, 9.0), NOW)
    health = dec.health_of(V)
    assert health and all(h.rssi_dbm == -80.0 for h in health.values())
    assert dec.health_of("other-venue") == {}
    rig = make_rig(tmp_path)
    rig.ctx.device_health = dec.health_of
    with TestClient(app_of(rig)) as c:
        rows = c.get(f"/api/venues/{V}/device-health", headers=_login(c, "ada")).json()
    assert [(r["weak_signal"], r["low_battery"]) for r in rows] == [(False, False)]


def test_without_adapters_the_list_is_empty(tmp_path: Path) -> None:
    rig = make_rig(tmp_path)
    with TestClient(app_of(rig)) as c:
        res = c.get(f"/api/venues/{V}/device-health", headers=_login(c, "ada"))
    assert res.status_code == 200 and res.json() == []
