"""Pagination of list endpoints: ``limit`` (1..1000, default 100) and ``offset``."""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from typing import Annotated, Any, TypeVar

from fastapi import Query

__all__ = ["MAX_LIMIT", "SCAN_LIMIT", "Limit", "Offset", "merged", "page"]

R = TypeVar("R")

MAX_LIMIT = 1000
# Lists filtered in memory read at most this many stored records.
SCAN_LIMIT = 10_000

Limit = Annotated[int, Query(ge=1, le=MAX_LIMIT, description="Items per page, 1..1000.")]
Offset = Annotated[int, Query(ge=0, le=2**31 - 1, description="Items to skip.")]


def page(items: Sequence[dict[str, Any]], limit: int, offset: int) -> dict[str, Any]:
    return {
        "items": list(items[offset : offset + limit]),
        "total": len(items),
        "limit": limit,
        "offset": offset,
    }


def merged(stored: Iterable[R], live: Iterable[R], key: Callable[[R], str]) -> list[R]:
    """Stored records with the live ones laid over them: memory is fresher than the store."""
    found = {key(r): r for r in stored}
    found.update((key(r), r) for r in live)
    return list(found.values())
