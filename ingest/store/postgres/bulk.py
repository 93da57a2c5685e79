"""One sensor's history as a binary COPY stream, built with numpy (archive import).

PostgreSQL's binary COPY format: a signature and two zero words, then per
row a field count and, per field, its byte length and its big-endian value,
then -1. The sensor (and venue) id is the same on every row, so a row is a
fixed record and the whole stream is one packed numpy array: no Python per row.
"""

from __future__ import annotations

from typing import LiteralString

import numpy as np
import numpy.typing as npt

__all__ = ["BULK_INSERT", "BULK_LATEST", "copy_binary"]

# One sensor's staged history into readings. Unlike the live MERGE_STAGING,
# no RETURNING: handing every new row back to a CTE that sorts them for the
# newest one cost more than the insert itself; the caller knows the newest
# row already, and the row count comes from the cursor.
BULK_INSERT: LiteralString = """
INSERT INTO sensor_readings (sid, vid, ts, value, quality)
SELECT sid, vid, to_timestamp(ts_ms / 1000.0), value, quality
FROM staging_sensor_readings
ON CONFLICT (sid, ts) DO NOTHING
"""

# The newest staged row advances sensor_latest, as a live write would.
BULK_LATEST: LiteralString = """
INSERT INTO sensor_latest AS l (vid, sid, ts, value, quality)
VALUES (%s, %s, to_timestamp(%s / 1000.0), %s, %s)
ON CONFLICT (vid, sid) DO UPDATE
SET ts = EXCLUDED.ts, value = EXCLUDED.value, quality = EXCLUDED.quality
WHERE EXCLUDED.ts > l.ts
"""

_SIGNATURE = b"PGCOPY\n\xff\r\n\x00" + b"\x00\x00\x00\x00" + b"\x00\x00\x00\x00"
_TRAILER = b"\xff\xff"


def copy_binary(
    sid: int,
    vid: int,
    ts_ms: npt.NDArray[np.int64],
    values: npt.NDArray[np.float64],
    quality: int = 0,
) -> bytes:
    """Rows ``(sid int4, vid int4, ts_ms int8, value float8, quality int2)`` in COPY BINARY."""
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
    rows = np.empty(len(ts_ms), dtype=dtype)
    rows["fields"] = 5
    rows["len_sid"], rows["sid"] = 4, sid
    rows["len_vid"], rows["vid"] = 4, vid
    rows["len_ts"], rows["ts"] = 8, ts_ms
    rows["len_value"], rows["value"] = 8, values
    rows["len_quality"], rows["quality"] = 2, quality
    return _SIGNATURE + rows.tobytes() + _TRAILER
