"""Readiness at the SUBACK: a client is "connected" once the broker holds its subscriptions.

A broker keeps messages only for subscriptions it has. Between the CONNACK and
the SUBACK, whatever is published to this client's topics is lost to it, so a
caller told "connected" at the CONNACK could send a request whose reply then
never arrived. Ingest, the twin's state publisher and the viewer's mirror use it.
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from typing import Any

import paho.mqtt.client as mqtt

__all__ = ["SubscribeGate"]

log = logging.getLogger(__name__)


class SubscribeGate:
    """Matches one client's SUBSCRIBE with its SUBACK (network-thread callbacks)."""

    def __init__(self, name: str) -> None:
        self._name = name
        self._pending: tuple[int | None, list[str]] | None = None

    def subscribe(self, client: mqtt.Client, filters: Sequence[tuple[str, int]]) -> None:
        """Send the subscriptions; :meth:`granted` answers their SUBACK."""
        _rc, mid = client.subscribe(list(filters))
        self._pending = (mid, [f for f, _qos in filters])

    def granted(self, mid: int, reason_codes: Sequence[Any]) -> bool:
        """True if this SUBACK answers the pending SUBSCRIBE; refused filters are logged."""
        pending = self._pending
        if pending is None or pending[0] != mid:
            return False
        self._pending = None
        for topic_filter, code in zip(pending[1], reason_codes, strict=False):
            if code.is_failure:
                log.error(
                    "%s: broker refused the subscription %s: %s", self._name, topic_filter, code
                )
        return True
