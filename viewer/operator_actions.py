"""What the alarm and command routers share: an operator's action.

An action on an alarm or a command is refused in the same three ways, and
both routers answer them alike: no such record (404), a state that does not
allow it (409), and a mirror viewer that could not get the twin's answer (the
status the twin's own route would have answered).
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import TypeVar

from fastapi import HTTPException

from twin.replica import ReplicaError

__all__ = ["act"]

R = TypeVar("R")


async def act(
    op: Callable[[], Awaitable[R]], *, missing: type[Exception], refused: type[Exception]
) -> R:
    """Run ``op``; ``missing`` becomes a 404 and ``refused`` a 409."""
    try:
        return await op()
    except missing as exc:
        raise HTTPException(404, str(exc)) from exc
    except refused as exc:
        raise HTTPException(409, str(exc)) from exc
    except ReplicaError as exc:  # a mirror viewer could not get the twin's answer
        raise HTTPException(exc.status, str(exc)) from exc
