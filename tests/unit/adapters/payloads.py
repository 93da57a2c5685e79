"""Example payloads as each ecosystem documents them (paraphrased; sources in docs/adapters.md)."""

from __future__ import annotations

import json

# ChirpStack v4 "up" event, JSON encoding (chirpstack.io, Integrations > Events),
# with a codec that decodes temperature and humidity.
CHIRPSTACK_TOPIC = (
    "application/17c82e96-be03-4f38-aef3-f83d48582d97/device/0101010101010101/event/up"
)
CHIRPSTACK_UP = {
    "deduplicationId": "3ac7e3c4-4401-4b8d-9386-a5c902f9202d",
    "time": "2022-07-18T09:34:15.775023242+00:00",
    "deviceInfo": {
        "tenantId": "52f14cd4-c6f1-4fbd-8f87-4025e1d49242",
        "tenantName": "ChirpStack",
        "applicationId": "17c82e96-be03-4f38-aef3-f83d48582d97",
        "applicationName": "Test application",
        "deviceProfileId": "14855bf7-d10d-4aee-b618-ebfcb64dc7ad",
        "deviceProfileName": "Test device-profile",
        "deviceName": "Test device",
        "devEui": "0101010101010101",
        "tags": {"key": "value"},
    },
    "devAddr": "00189440",
    "dr": 1,
    "fPort": 1,
    "data": "qqo=",
    "rxInfo": [
        {
            "gatewayId": "0016c001f153a14c",
            "uplinkId": 4217106255,
            "rssi": -36,
            "snr": 10.5,
            "channel": 2,
            "location": {},
            "context": "E3OWOQ==",
        }
    ],
    "txInfo": {
        "frequency": 868500000,
        "modulation": {"lora": {"bandwidth": 125000, "spreadingFactor": 11, "codeRate": "CR_4_5"}},
    },
    "object": {"temperature": 21.4, "humidity": 48.5},
}
CHIRPSTACK_TIME = 1658136855.775

# The Things Stack v3 uplink message (thethingsindustries.com, Integrations >
# Data formats), with a payload formatter's decoded_payload.
TTS_TOPIC = "v3/app1@ttn/devices/dev1/up"
TTS_UP = {
    "end_device_ids": {
        "device_id": "dev1",
        "application_ids": {"application_id": "app1"},
        "dev_eui": "0004A30B001C0530",
        "join_eui": "800000000000000C",
        "dev_addr": "00BCB929",
    },
    "correlation_ids": ["as:up:01..."],
    "received_at": "2020-02-12T15:15:45.787Z",
    "uplink_message": {
        "session_key_id": "AXBSH1Pk6Z0G166...",
        "f_port": 15,
        "f_cnt": 7,
        "frm_payload": "CHgBAAA=",
        "decoded_payload": {"temperature": 71.6, "lux": 0.12},
        "rx_metadata": [
            {
                "gateway_ids": {"gateway_id": "gtw1", "eui": "9C5C8E00001A05C4"},
                "time": "2020-02-12T15:15:45.787Z",
                "timestamp": 2463457000,
                "rssi": -35,
                "channel_rssi": -35,
                "snr": 5.2,
                "uplink_token": "ChIKEA...",
                "channel_index": 2,
            },
            {"gateway_ids": {"gateway_id": "gtw2"}, "rssi": -90, "snr": -3.0},
        ],
        "settings": {
            "data_rate": {"lora": {"bandwidth": 125000, "spreading_factor": 7}},
            "frequency": "868500000",
        },
        "received_at": "2020-02-12T15:15:45.787Z",
        "consumed_airtime": "0.056576s",
    },
}
TTS_TIME = 1581520545.787

# Zigbee2MQTT device message (zigbee2mqtt.io, MQTT Topics and Messages: the
# Xiaomi temperature & humidity sensor example, plus linkquality and battery).
Z2M_TOPIC = "zigbee2mqtt/gallery/aqara_th"
Z2M_STATE = {"temperature": 27.34, "humidity": 44.72, "linkquality": 97, "battery": 86}

# Home Assistant MQTT Statestream (home-assistant.io, MQTT Statestream):
# base_topic homeassistant, state published as text on .../state.
HA_TOPIC = "homeassistant/sensor/gallery_temperature/state"
HA_STATE = b"21.5"


def dumps(doc: object) -> bytes:
    return json.dumps(doc).encode()
