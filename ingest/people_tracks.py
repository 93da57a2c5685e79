"""Validation of a people tracker's count-and-positions message (contract v1).

``venues/{venue}/sensors/{sensor}`` with
``{"ts": ..., "count": N, "positions": [[x, y], ...], "ids": [...]?, "v": 1?}``:
``positions`` are venue metres (a third coordinate, the height, is dropped);
``ids`` (strings or integers, unique, one per position) let the twin follow
people from frame to frame for speed. ``count`` defaults to the number of
positions and may exceed it (people counted but not located). Everything else
about the message (topic, ``ts``, ``v``, size) follows the single-reading rules.
"""

from __future__ import annotations

import math
from typing import Any

__all__ = ["MAX_POSITIONS", "TrackError", "parse_track"]

# A tracker sees tens of people per frame; the cap bounds memory per message.
MAX_POSITIONS = 1000

_ALLOWED = frozenset({"ts", "count", "positions", "ids", "quality", "v"})


class TrackError(ValueError):
    """A bad tracker message; ``reason`` is an ingest ``Reason`` value."""

    def __init__(self, reason: str, detail: str) -> None:
        super().__init__(detail)
        self.reason = reason
        self.detail = detail


def _number(v: Any) -> bool:
    return not isinstance(v, bool) and isinstance(v, int | float)


def parse_track(
    doc: dict[str, Any], max_positions: int = MAX_POSITIONS
) -> tuple[int, tuple[tuple[float, float], ...], tuple[str, ...] | None]:
    """``(count, positions, ids)`` of a tracker message, or :class:`TrackError`."""
    extra = set(doc) - _ALLOWED
    if "value" in doc:
        raise TrackError("bad_shape", "a tracker message has 'count', not 'value'")
    if extra:
        raise TrackError("bad_shape", f"unknown fields in a tracker message: {sorted(extra)[:5]}")
    raw = doc["positions"]
    if not isinstance(raw, list):
        raise TrackError("bad_shape", "'positions' must be a list of [x, y]")
    if len(raw) > max_positions:
        raise TrackError(
            "too_many_positions", f"{len(raw)} positions exceed {max_positions} per message"
        )
    positions = []
    for i, p in enumerate(raw):
        if not isinstance(p, list) or len(p) not in (2, 3) or not all(_number(c) for c in p):
            raise TrackError("wrong_type", f"positions[{i}] must be [x, y] or [x, y, z] numbers")
        if not all(math.isfinite(c) for c in p):
            raise TrackError("non_finite", f"positions[{i}] must be finite")
        positions.append((float(p[0]), float(p[1])))
    count = doc.get("count", len(positions))
    if not _number(count) or not math.isfinite(count) or count != int(count) or count < 0:
        raise TrackError("wrong_type", "'count' must be a whole number >= 0")
    if count < len(positions):
        raise TrackError(
            "bad_shape", f"'count' {int(count)} is smaller than the {len(positions)} positions"
        )
    ids = None
    if doc.get("ids") is not None:
        raw_ids = doc["ids"]
        if not isinstance(raw_ids, list) or len(raw_ids) != len(positions):
            raise TrackError("bad_shape", "'ids' must be a list with one id per position")
        if not all(isinstance(t, str) or (_number(t) and t == int(t)) for t in raw_ids):
            raise TrackError("wrong_type", "'ids' must be strings or whole numbers")
        ids = tuple(t if isinstance(t, str) else str(int(t)) for t in raw_ids)
        if any(len(t) > 64 for t in ids):
            raise TrackError("wrong_type", "an id is longer than 64 characters")
        if len(set(ids)) != len(ids):
            raise TrackError("bad_shape", "'ids' must be unique within a frame")
    return int(count), tuple(positions), ids
