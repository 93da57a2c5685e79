"""Open bugs the fuzzers found, recognised precisely so fuzzing can go past them.

Each predicate matches one reported bug and nothing else; the unit tests pin
each bug with a strict ``xfail`` test, so when a fix lands the test turns
green-unexpectedly and the predicate (and its use) should be deleted.
Set ``VENUE_TWIN_FUZZ_STRICT=1`` to make the harnesses stop at these too.
"""

from __future__ import annotations

import math
import os
import traceback
from collections.abc import Iterator
from typing import Any

__all__ = [
    "has_non_finite_number",
    "is_decode_invalid_utf8_error",
    "is_loader_yaml_error",
    "is_ws_deep_nesting_error",
    "strict",
]


def strict() -> bool:
    """Whether known bugs count as failures (``VENUE_TWIN_FUZZ_STRICT=1``)."""
    return os.environ.get("VENUE_TWIN_FUZZ_STRICT", "") not in ("", "0")


def _frames(exc: BaseException) -> list[tuple[str, str]]:
    return [(f.filename, f.name) for f in traceback.extract_tb(exc.__traceback__)]


def is_loader_yaml_error(exc: BaseException) -> bool:
    """twin/loader.py: exceptions PyYAML raises escape ``parse_venue`` instead of
    becoming a VenueFileError: ValueError for ``2001-02-30``, IndexError for an
    empty ``!!int``, AttributeError for an empty ``!!timestamp``; and, from the
    pure-Python line-tracking re-parse after a validation error, ScannerError
    where libyaml was lenient (a tab after ``key:``) and ConstructorError for a
    self-referencing alias (``a: &x [*x]``)."""
    return any("/yaml/" in path.replace("\\", "/") for path, _ in _frames(exc))


def is_decode_invalid_utf8_error(exc: BaseException) -> bool:
    """ingest/decode.py: msgspec raises UnicodeDecodeError (not DecodeError) for
    invalid UTF-8 inside a JSON string; it escapes ``Decoder.decode`` and, in
    ``IngestService``, stops paho's network thread: one device message halts ingest."""
    return isinstance(exc, UnicodeDecodeError) and any(
        name == "_parse" or name == "_fast_batch" for _, name in _frames(exc)
    )


def is_ws_deep_nesting_error(exc: BaseException) -> bool:
    """viewer/hub.py: a frame nested ~1,000 deep (under the 4 KiB limit) makes
    msgspec raise RecursionError, which ``Hub._handle`` does not catch, so the
    connection dies instead of getting a ``bad_json`` error frame."""
    return isinstance(exc, RecursionError) and any(name == "_handle" for _, name in _frames(exc))


def _numbers(value: Any) -> Iterator[float]:
    if isinstance(value, float):
        yield value
    elif isinstance(value, dict):
        for v in value.values():
            yield from _numbers(v)
    elif isinstance(value, list | tuple):
        for v in value:
            yield from _numbers(v)


def has_non_finite_number(dumped: Any) -> bool:
    """twin/venue.py: coordinates, heights and thresholds accept ``.inf``/``.nan``
    (pydantic's default ``allow_inf_nan``), so a venue with an infinite floor
    area validates."""
    return any(not math.isfinite(x) for x in _numbers(dumped))
