"""What the platform and the mirror viewer hold alike: named background tasks and an exit stack."""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import Coroutine
from typing import Any

__all__ = ["ServiceGroup"]


class ServiceGroup:
    """Base of a composition: ``_spawn`` starts a named task, ``_stack`` closes in reverse.

    Each subclass decides the order of its own teardown in ``__aexit__``.
    """

    def __init__(self) -> None:
        self._tasks: list[asyncio.Task[None]] = []
        self._stack = contextlib.AsyncExitStack()

    def _spawn(self, coro: Coroutine[Any, Any, None], name: str) -> None:
        self._tasks.append(asyncio.create_task(coro, name=name))
