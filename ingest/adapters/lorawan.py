"""LoRaWAN network servers: ChirpStack v4 and The Things Stack v3 uplinks (JSON).

Both forward a device's uplink with the payload already decoded by the
device profile's codec (ChirpStack ``object``, The Things Stack
``uplink_message.decoded_payload``) and with the reception metadata of every
gateway that heard it. The device is named by its EUI (or TTS device id);
the best gateway's RSSI and SNR are kept as the device's health.
"""

from __future__ import annotations

from typing import Any

from ingest.adapters.base import (
    AdapterError,
    DeviceHealth,
    Observation,
    Parsed,
    flatten_numbers,
    load_json_object,
    parse_time,
)

__all__ = ["ChirpStackAdapter", "TheThingsStackAdapter"]


def _best_reception(rx: Any, gateway_key: str) -> DeviceHealth:
    """The strongest gateway's RSSI, SNR and id (what limits the link is the best path)."""
    if not isinstance(rx, list):
        return DeviceHealth()
    best: dict[str, Any] | None = None
    for item in rx:
        if not isinstance(item, dict) or not isinstance(item.get("rssi"), int | float):
            continue
        if best is None or item["rssi"] > best["rssi"]:
            best = item
    if best is None:
        return DeviceHealth()
    snr = best.get("snr")
    gw = best.get(gateway_key)
    if isinstance(gw, dict):  # TTS: {"gateway_id": "...", "eui": "..."}
        gw = gw.get("gateway_id") or gw.get("eui")
    return DeviceHealth(
        rssi_dbm=float(best["rssi"]),
        snr_db=float(snr) if isinstance(snr, int | float) else None,
        gateway=str(gw) if gw is not None else None,
    )


class ChirpStackAdapter:
    """ChirpStack v4 ``application/{app}/device/{devEui}/event/up`` in its JSON encoding."""

    default_topic = "application/+/device/+/event/up"

    def parse(self, topic: str, payload: bytes) -> Parsed:
        doc = load_json_object(payload)
        info = doc.get("deviceInfo")
        if not isinstance(info, dict) or not isinstance(info.get("devEui"), str):
            raise AdapterError("bad_shape", "ChirpStack uplink needs deviceInfo.devEui")
        device = info["devEui"].lower()
        obj = doc.get("object")
        if obj is None:
            raise AdapterError(
                "bad_shape", "uplink has no decoded 'object' (no codec in the device profile?)"
            )
        ts = parse_time(doc["time"]) if "time" in doc else None
        out = Parsed(health={device: _best_reception(doc.get("rxInfo"), "gatewayId")})
        out.observations.extend(
            Observation(device, name, value, ts) for name, value in flatten_numbers(obj)
        )
        return out


class TheThingsStackAdapter:
    """The Things Stack v3 ``v3/{app}@{tenant}/devices/{device}/up`` (JSON)."""

    default_topic = "v3/+/devices/+/up"

    def __init__(self, *, device_key: str = "dev_eui") -> None:
        # Operators name devices by EUI or by their TTS device id; either works.
        if device_key not in ("dev_eui", "device_id"):
            raise ValueError("device_key is dev_eui or device_id")
        self._device_key = device_key

    def parse(self, topic: str, payload: bytes) -> Parsed:
        doc = load_json_object(payload)
        ids = doc.get("end_device_ids")
        up = doc.get("uplink_message")
        if not isinstance(ids, dict) or not isinstance(up, dict):
            raise AdapterError("bad_shape", "TTS uplink needs end_device_ids and uplink_message")
        device = ids.get(self._device_key) or ids.get("device_id")
        if not isinstance(device, str) or not device:
            raise AdapterError("bad_shape", f"end_device_ids has no {self._device_key}")
        device = device.lower()
        decoded = up.get("decoded_payload")
        if decoded is None:
            raise AdapterError("bad_shape", "uplink has no decoded_payload (no payload formatter?)")
        # The first gateway's reception time is nearest the device's own; the
        # application server's received_at is a fallback.
        ts: float | None = None
        stamp = up.get("received_at", doc.get("received_at"))
        if stamp is not None:
            ts = parse_time(stamp)
        out = Parsed(health={device: _best_reception(up.get("rx_metadata"), "gateway_ids")})
        out.observations.extend(
            Observation(device, name, value, ts) for name, value in flatten_numbers(decoded)
        )
        return out
