"""What the decoder answers with and is bounded by: results, limits, reasons, sensor policy.

Plain value types, shared by the contract decoder (:mod:`ingest.decode`) and
the payload adapters' router.
"""

from __future__ import annotations

import enum
from dataclasses import dataclass, field

from ingest.contract import CommandAck, DeadLetter, Reading, StatusEvent, TrackFrame
from ingest.people_tracks import MAX_POSITIONS

__all__ = ["DecodeLimits", "DecodeResult", "Reason", "SensorPolicy"]


class Reason(enum.StrEnum):
    """Why a message (or one reading in it) was rejected."""

    BAD_TOPIC = "bad_topic"
    OVERSIZE = "oversize"
    INVALID_JSON = "invalid_json"
    UNSUPPORTED_VERSION = "unsupported_version"
    BAD_SHAPE = "bad_shape"
    WRONG_TYPE = "wrong_type"
    NON_FINITE = "non_finite"
    BAD_TIMESTAMP = "bad_timestamp"
    FUTURE_TIMESTAMP = "future_timestamp"
    TOO_OLD = "too_old"
    UNKNOWN_VENUE = "unknown_venue"
    UNKNOWN_SENSOR = "unknown_sensor"
    TOO_MANY_READINGS = "too_many_readings"
    TOO_MANY_POSITIONS = "too_many_positions"
    NOT_A_TRACKER = "not_a_tracker"
    INTERNAL = "internal_error"


class SensorPolicy(enum.StrEnum):
    """What to do with a sensor the registry does not know."""

    REJECT = "reject"
    AUTO_REGISTER = "auto_register"


@dataclass(frozen=True, slots=True)
class DecodeLimits:
    max_payload_bytes: int = 256 * 1024
    max_readings_per_message: int = 10_000
    max_future_s: float = 300.0
    max_age_s: float = 366 * 86_400.0
    dead_letter_bytes: int = 4096
    max_positions_per_message: int = MAX_POSITIONS


@dataclass(slots=True)
class DecodeResult:
    readings: list[Reading] = field(default_factory=list)
    statuses: list[StatusEvent] = field(default_factory=list)
    acks: list[CommandAck] = field(default_factory=list)
    rejected: list[DeadLetter] = field(default_factory=list)
    # People trackers' positions (their counts are in ``readings`` too).
    tracks: list[TrackFrame] = field(default_factory=list)
