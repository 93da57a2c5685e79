"""Fakes of paho's client for unit tests of MQTT callbacks (no network)."""

from __future__ import annotations

from paho.mqtt.packettypes import PacketTypes
from paho.mqtt.reasoncodes import ReasonCode

SUBSCRIBE_MID = 17


class SubscribeRecorder:
    """Records SUBSCRIBE calls as paho would queue them; each gets mid 17."""

    def __init__(self) -> None:
        self.subscribed: list[list[tuple[str, int]]] = []

    def subscribe(self, topics: list[tuple[str, int]]) -> tuple[int, int]:
        self.subscribed.append(topics)
        return 0, SUBSCRIBE_MID


def connack() -> ReasonCode:
    return ReasonCode(PacketTypes.CONNACK, "Success")


def granted(n: int) -> list[ReasonCode]:
    return [ReasonCode(PacketTypes.SUBACK, "Granted QoS 1") for _ in range(n)]
