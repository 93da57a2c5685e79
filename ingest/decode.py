"""Decoding and validation of MQTT messages into typed contract values.

:func:`Decoder.decode` never raises for bad input: everything it cannot accept
becomes a :class:`~ingest.contract.DeadLetter` with a reason from
:class:`Reason`, and the good readings of a partly bad batch still go through.
"""

from __future__ import annotations

import json
import logging
import math
from collections.abc import Callable
from datetime import datetime
from typing import Any, Literal

import msgspec

from ingest.contract import (
    CONTRACT_VERSION,
    CommandAck,
    DeadLetter,
    Quality,
    Reading,
    SensorStatus,
    StatusEvent,
    TopicKind,
    Topics,
    TrackFrame,
)
from ingest.decode_types import DecodeLimits, DecodeResult, Reason, SensorPolicy
from ingest.people_tracks import TrackError, parse_track

# The value types are the decoder's vocabulary (ingest.decode_types); importers take them here.
__all__ = ["DecodeLimits", "DecodeResult", "Decoder", "Reason", "SensorPolicy"]

log = logging.getLogger(__name__)


class _BatchItem(msgspec.Struct):
    sensor: str
    ts: int | float | str
    value: float
    quality: Literal["good", "uncertain", "bad"] = "good"


class _Batch(msgspec.Struct):
    readings: list[_BatchItem]
    v: int = CONTRACT_VERSION


class _Single(msgspec.Struct):
    ts: int | float | str
    value: float
    quality: Literal["good", "uncertain", "bad"] = "good"
    v: int = CONTRACT_VERSION


class _Reject(Exception):
    def __init__(self, reason: Reason, detail: str) -> None:
        super().__init__(detail)
        self.reason = reason
        self.detail = detail


# Known sensors: returns True when (venue, sensor) is known. None = accept all.
SensorRegistry = Callable[[str, str], bool]
VenueRegistry = Callable[[str], bool]


class Decoder:
    """Turns (topic, payload) into readings, status events and command acks."""

    def __init__(
        self,
        topics: Topics,
        *,
        limits: DecodeLimits | None = None,
        known_venue: VenueRegistry | None = None,
        known_sensor: SensorRegistry | None = None,
        policy: SensorPolicy = SensorPolicy.REJECT,
        on_new_sensor: Callable[[str, str], None] | None = None,
        tracker_sensor: SensorRegistry | None = None,
    ) -> None:
        self._topics = topics
        self._limits = limits or DecodeLimits()
        self._known_venue = known_venue
        self._known_sensor = known_sensor
        self._policy = policy
        self._on_new_sensor = on_new_sensor
        # Which sensors may send positions (None: any); the rest keep one number.
        self._tracker_sensor = tracker_sensor
        self._json = msgspec.json.Decoder()
        self._batch_json = msgspec.json.Decoder(_Batch)
        self._single_json = msgspec.json.Decoder(_Single)

    def decode(self, topic: str, payload: bytes | bytearray, received_at: float) -> DecodeResult:
        out = DecodeResult()
        try:
            self._decode(topic, payload, received_at, out)
        except _Reject as rej:
            out.rejected.append(self._letter(rej.reason, rej.detail, topic, payload, received_at))
        except Exception as exc:  # a decoder bug must cost one message, never the stream
            log.exception("decoder failed on a message on %r", topic[:200])
            out.readings.clear()
            out.rejected.append(
                self._letter(
                    Reason.INTERNAL, f"decoder error: {exc!r}"[:300], topic, payload, received_at
                )
            )
        return out

    # -- internals -------------------------------------------------------

    def _letter(
        self,
        reason: Reason,
        detail: str,
        topic: str,
        payload: bytes | bytearray,
        received_at: float,
    ) -> DeadLetter:
        return DeadLetter(
            reason=reason.value,
            detail=detail,
            topic=topic[:512],
            payload=bytes(payload[: self._limits.dead_letter_bytes]),
            received_at=received_at,
        )

    def _decode(
        self, topic: str, payload: bytes | bytearray, now: float, out: DecodeResult
    ) -> None:
        parts = self._topics.split(topic)
        if parts is None:
            raise _Reject(Reason.BAD_TOPIC, "topic is not under venues/{venue}/...")
        venue, kind, rest = parts
        if len(payload) > self._limits.max_payload_bytes:
            raise _Reject(
                Reason.OVERSIZE,
                f"payload of {len(payload)} bytes exceeds {self._limits.max_payload_bytes}",
            )
        if kind is TopicKind.TWIN:
            raise _Reject(Reason.BAD_TOPIC, "twin topics are published by the twin, not ingested")
        if kind is TopicKind.COMMAND:
            if not rest.endswith("/ack") or rest.count("/") != 1:
                raise _Reject(Reason.BAD_TOPIC, "only commands/{target}/ack is ingested")
            doc = self._parse(payload)
            out.acks.append(_ack(venue, rest.split("/")[0], doc, now))
            return
        if self._known_venue is not None and not self._known_venue(venue):
            raise _Reject(Reason.UNKNOWN_VENUE, f"venue {venue!r} is not configured")
        if kind is TopicKind.BATCH:
            if rest:
                raise _Reject(Reason.BAD_TOPIC, "batch topic takes no further levels")
            fast = self._fast_batch(venue, payload, now)
            if fast is not None:
                out.readings.extend(fast)
                return
            self._readings(venue, None, self._parse(payload), topic, payload, now, out)
        elif kind is TopicKind.SENSOR:
            if not rest or "/" in rest:
                raise _Reject(Reason.BAD_TOPIC, "expected venues/{venue}/sensors/{sensor}")
            self._check_sensor(venue, rest)
            one = self._fast_single(venue, rest, payload, now)
            if one is not None:
                out.readings.append(one)
                return
            doc = self._parse(payload)
            if "positions" in doc:
                self._track(venue, rest, doc, now, out)
                return
            self._readings(venue, rest, doc, topic, payload, now, out)
        else:  # STATUS
            if not rest or "/" in rest:
                raise _Reject(Reason.BAD_TOPIC, "expected venues/{venue}/status/{sensor}")
            doc = self._parse(payload)
            state = doc.get("state")
            if state not in (SensorStatus.ONLINE.value, SensorStatus.OFFLINE.value):
                raise _Reject(Reason.WRONG_TYPE, "state must be 'online' or 'offline'")
            status = SensorStatus(state)
            ts = self._timestamp(doc.get("ts"), now) if "ts" in doc else now
            out.statuses.append(StatusEvent(venue, rest, status, ts))

    def _parse(self, payload: bytes | bytearray) -> dict[str, Any]:
        try:
            doc = self._json.decode(payload)
        except (msgspec.DecodeError, msgspec.ValidationError, UnicodeDecodeError) as exc:
            raise _Reject(*_classify_bad_json(payload, exc)) from None
        except RecursionError:
            raise _Reject(Reason.INVALID_JSON, "JSON nested too deeply") from None
        if not isinstance(doc, dict):
            raise _Reject(Reason.BAD_SHAPE, "payload must be a JSON object")
        v = doc.get("v", CONTRACT_VERSION)
        if v != CONTRACT_VERSION:
            raise _Reject(Reason.UNSUPPORTED_VERSION, f"contract version {v!r} is not supported")
        return doc

    def _fast_batch(
        self, venue: str, payload: bytes | bytearray, now: float
    ) -> list[Reading] | None:
        """A typed decode of a clean batch (gateways' bulk path, about twice as fast).

        Returns None at the first irregularity; the general path then decides
        reading by reading, so both paths accept and reject exactly the same.
        """
        try:
            batch = self._batch_json.decode(payload)
        except (msgspec.DecodeError, msgspec.ValidationError, UnicodeDecodeError, RecursionError):
            return None
        items = batch.readings
        if batch.v != CONTRACT_VERSION or len(items) > self._limits.max_readings_per_message:
            return None
        lo = now - self._limits.max_age_s
        hi = now + self._limits.max_future_s
        known = self._known_sensor
        good = Quality.GOOD
        out: list[Reading] = []
        for it in items:
            ts = it.ts
            sensor = it.sensor
            if type(ts) is str or not sensor or "/" in sensor:
                return None
            ts = ts / 1000.0  # type: ignore[operator]
            if not lo <= ts <= hi or (known is not None and not known(venue, sensor)):
                return None
            q = good if it.quality == "good" else Quality(it.quality)
            out.append(Reading(venue, sensor, round(ts * 1000.0) / 1000.0, it.value, q))
        return out

    def _fast_single(
        self, venue: str, sensor: str, payload: bytes | bytearray, now: float
    ) -> Reading | None:
        """A typed decode of one clean reading (a device's usual message).

        None at any irregularity (also for ``{"readings": [...]}`` or a tracker's
        ``positions`` on a sensor
        topic): the general path then decides, so both accept the same.
        """
        if b'"readings"' in payload or b'"positions"' in payload:
            return None
        try:
            one = self._single_json.decode(payload)
        except (msgspec.DecodeError, msgspec.ValidationError, UnicodeDecodeError, RecursionError):
            return None
        ts = one.ts
        if one.v != CONTRACT_VERSION or type(ts) is str:
            return None
        ts = ts / 1000.0  # type: ignore[operator]
        if not now - self._limits.max_age_s <= ts <= now + self._limits.max_future_s:
            return None
        q = Quality.GOOD if one.quality == "good" else Quality(one.quality)
        return Reading(venue, sensor, round(ts * 1000.0) / 1000.0, one.value, q)

    def _track(
        self, venue: str, sensor: str, doc: dict[str, Any], now: float, out: DecodeResult
    ) -> None:
        """A people tracker's frame: its count as a reading, its positions as a track."""
        if self._tracker_sensor is not None and not self._tracker_sensor(venue, sensor):
            raise _Reject(Reason.NOT_A_TRACKER, f"sensor {sensor!r} is not a people_tracker")
        try:
            count, positions, ids = parse_track(doc, self._limits.max_positions_per_message)
        except TrackError as err:
            raise _Reject(Reason(err.reason), err.detail) from None
        if "ts" not in doc:
            raise _Reject(Reason.BAD_TIMESTAMP, "'ts' is required")
        reading = self._reading(venue, sensor, {**doc, "value": count}, now)
        out.readings.append(reading)
        out.tracks.append(TrackFrame(venue, sensor, reading.ts, count, positions, ids))

    def _check_sensor(self, venue: str, sensor: str) -> None:
        if self._known_sensor is None or self._known_sensor(venue, sensor):
            return
        if self._policy is SensorPolicy.AUTO_REGISTER:
            if self._on_new_sensor is not None:
                self._on_new_sensor(venue, sensor)
            return
        raise _Reject(Reason.UNKNOWN_SENSOR, f"sensor {sensor!r} is not configured in {venue!r}")

    def _readings(
        self,
        venue: str,
        sensor: str | None,
        doc: dict[str, Any],
        topic: str,
        payload: bytes | bytearray,
        now: float,
        out: DecodeResult,
    ) -> None:
        if "readings" in doc:
            items = doc["readings"]
            if not isinstance(items, list):
                raise _Reject(Reason.BAD_SHAPE, "'readings' must be a list")
            if len(items) > self._limits.max_readings_per_message:
                raise _Reject(
                    Reason.TOO_MANY_READINGS,
                    f"{len(items)} readings exceed {self._limits.max_readings_per_message}",
                )
        elif sensor is not None:
            items = [doc]
        else:
            raise _Reject(Reason.BAD_SHAPE, "a batch needs a 'readings' list")
        for i, item in enumerate(items):
            try:
                out.readings.append(self._reading(venue, sensor, item, now))
            except _Reject as rej:
                where = f"readings[{i}]: " if "readings" in doc else ""
                out.rejected.append(
                    self._letter(rej.reason, where + rej.detail, topic, payload, now)
                )

    def _reading(self, venue: str, sensor: str | None, item: Any, now: float) -> Reading:
        if not isinstance(item, dict):
            raise _Reject(Reason.BAD_SHAPE, "a reading must be an object")
        if sensor is None:
            sensor = item.get("sensor")
            if not isinstance(sensor, str) or not sensor or "/" in sensor:
                raise _Reject(Reason.WRONG_TYPE, "'sensor' must be a non-empty string")
            self._check_sensor(venue, sensor)
        value = item.get("value")
        if isinstance(value, bool) or not isinstance(value, int | float):
            raise _Reject(Reason.WRONG_TYPE, f"'value' must be a number, got {_typename(value)}")
        value = float(value)
        if not math.isfinite(value):
            raise _Reject(Reason.NON_FINITE, "'value' must be finite")
        if "ts" not in item:
            raise _Reject(Reason.BAD_TIMESTAMP, "'ts' is required")
        ts = self._timestamp(item["ts"], now)
        quality = Quality.GOOD
        if "quality" in item:
            try:
                quality = Quality(item["quality"])
            except ValueError:
                raise _Reject(
                    Reason.WRONG_TYPE, "'quality' must be good, uncertain or bad"
                ) from None
        return Reading(venue, sensor, ts, value, quality)

    def _timestamp(self, raw: Any, now: float) -> float:
        if isinstance(raw, bool):
            raise _Reject(Reason.BAD_TIMESTAMP, "'ts' must be epoch milliseconds or ISO 8601")
        if isinstance(raw, int | float):
            if not math.isfinite(raw):
                raise _Reject(Reason.BAD_TIMESTAMP, "'ts' must be finite")
            ts = raw / 1000.0
        elif isinstance(raw, str):
            try:
                dt = datetime.fromisoformat(raw)
            except ValueError:
                raise _Reject(Reason.BAD_TIMESTAMP, f"'ts' {raw[:40]!r} is not ISO 8601") from None
            if dt.tzinfo is None:
                raise _Reject(Reason.BAD_TIMESTAMP, "'ts' needs a UTC offset (e.g. Z)")
            ts = dt.timestamp()
        else:
            raise _Reject(Reason.BAD_TIMESTAMP, "'ts' must be epoch milliseconds or ISO 8601")
        if ts > now + self._limits.max_future_s:
            raise _Reject(Reason.FUTURE_TIMESTAMP, f"'ts' is {ts - now:.0f} s in the future")
        if ts < now - self._limits.max_age_s:
            raise _Reject(Reason.TOO_OLD, f"'ts' is {(now - ts) / 86400:.0f} days old")
        # Millisecond resolution on the wire: keep keys exact across round trips.
        return round(ts * 1000.0) / 1000.0


def _ack(venue: str, target: str, doc: dict[str, Any], now: float) -> CommandAck:
    cid, ok = doc.get("id"), doc.get("ok")
    if not isinstance(cid, str) or not isinstance(ok, bool):
        raise _Reject(Reason.WRONG_TYPE, "an ack needs 'id' (string) and 'ok' (boolean)")
    detail = doc.get("detail", "")
    return CommandAck(venue, target, cid, ok, str(detail)[:500], now)


def _classify_bad_json(payload: bytes | bytearray, exc: Exception) -> tuple[Reason, str]:
    """NaN and Infinity are not JSON, but devices send them: name them apart."""
    try:
        json.loads(payload)
    except (ValueError, UnicodeDecodeError):
        return Reason.INVALID_JSON, f"not valid JSON: {exc}"
    return Reason.NON_FINITE, "NaN or Infinity in payload"


def _typename(v: Any) -> str:
    return "null" if v is None else type(v).__name__
