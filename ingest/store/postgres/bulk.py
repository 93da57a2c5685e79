"""Rows of readings as a binary COPY stream, built with numpy.

PostgreSQL's binary COPY format: a signature and two zero words, then per
row a field count and, per field, its byte length and its big-endian value,
then -1. Every field has a fixed width (ids, not names), so a row is a fixed
record and the whole stream is one packed numpy array: no Python per row.
"""

from __future__ import annotations

import numpy as np
import numpy.typing as npt

__all__ = ["copy_binary"]

_SIGNATURE = b"PGCOPY\n\xff\r\n\x00" + b"\x00\x00\x00\x00" + b"\x00\x00\x00\x00"
_TRAILER = b"\xff\xff"


def copy_binary(
    sid: int | npt.NDArray[np.int32],
    vid: int | npt.NDArray[np.int32],
    ts: npt.NDArray[np.int64],
    values: npt.NDArray[np.float64],
    quality: int | npt.NDArray[np.int16] = 0,
) -> bytes:
    """Rows ``(sid int4, vid int4, ts int8, value float8, quality int2)`` in COPY BINARY.

    ``ts`` goes out as given: epoch ms for the staging table's ``ts_ms``, or
    microseconds since 2000-01-01 for a ``timestamptz`` column. Scalars are
    repeated on every row."""
    dtype = np.dtype(
        [
            ("fields", ">i2"),
            ("len_sid", ">i4"),
            ("sid", ">i4"),
            ("len_vid", ">i4"),
            ("vid", ">i4"),
            ("len_ts", ">i4"),
            ("ts", ">i8"),
            ("len_value", ">i4"),
            ("value", ">f8"),
            ("len_quality", ">i4"),
            ("quality", ">i2"),
        ]
    )
    rows = np.empty(len(ts), dtype=dtype)
    rows["fields"] = 5
    rows["len_sid"], rows["sid"] = 4, sid
    rows["len_vid"], rows["vid"] = 4, vid
    rows["len_ts"], rows["ts"] = 8, ts
    rows["len_value"], rows["value"] = 8, values
    rows["len_quality"], rows["quality"] = 2, quality
    return _SIGNATURE + rows.tobytes() + _TRAILER
