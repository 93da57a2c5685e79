"""Bounds on the numbers REST clients send: finite, and times a store can hold.

Times are epoch seconds between 0001-01-01 and 9999-12-31 (UTC): every store
and ``datetime`` can hold them, and in milliseconds they fit a signed 64-bit
integer many times over. Without these bounds ``end=1e16`` or ``start=-inf``
reached the store and answered 500 (issue 17).
"""

from __future__ import annotations

from typing import Annotated

from pydantic import Field

__all__ = ["MAX_BUCKET_S", "MAX_TS", "MIN_BUCKET_S", "MIN_TS", "Timestamp"]

MIN_TS = -62_135_596_800.0  # 0001-01-01T00:00:00Z
MAX_TS = 253_402_300_799.0  # 9999-12-31T23:59:59Z
MIN_BUCKET_S = 0.001  # stores bucket in whole milliseconds
MAX_BUCKET_S = MAX_TS - MIN_TS

Timestamp = Annotated[
    float,
    Field(
        ge=MIN_TS,
        le=MAX_TS,
        allow_inf_nan=False,
        description="Epoch seconds (UTC), 0001-01-01 to 9999-12-31.",
    ),
]
