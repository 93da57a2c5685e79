"""Properties checked on what the code under fuzzing returns (no atheris needed)."""

from __future__ import annotations

import math
from collections.abc import Iterator
from typing import Any

__all__ = ["has_non_finite_number"]


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
    """Whether a dumped model holds ``inf`` or ``nan`` anywhere (a venue must not)."""
    return any(not math.isfinite(x) for x in _numbers(dumped))
