"""Run a coroutine at once, up to its first suspension, as Python 3.12's eager tasks do.

A WebSocket send whose socket takes the bytes at once never suspends:
Starlette's ``send_text`` and uvicorn's WebSocket protocol write to the
transport and return. Waking one sender task per client for it cost the hub
a task step per client per tick (10,000 a second at 1,000 clients): a
``call_soon`` handle, the task's own step and the coroutine re-entered. So
the hub starts a send with :func:`start` in its own step; only a send that
does suspend (the socket's buffer is full: backpressure) becomes an awaitable
for that client's sender task to finish, and the client takes no new frame
until it has.

This is plain coroutine protocol (``coroutine.send``/``throw``, as an
asyncio task drives one); nothing of Starlette or uvicorn is touched. The
first step runs in the caller's task and context, which the send path
(Starlette's ASGI ``send`` wrappers and uvicorn's protocol) does not look at.
On Python 3.12 ``asyncio.eager_task_factory`` does the same; the project
still supports 3.11.
"""

from __future__ import annotations

import asyncio
from collections.abc import Coroutine, Generator
from typing import Any

__all__ = ["Rest", "start"]


def start(coro: Coroutine[Any, Any, None]) -> Rest | None:
    """Run ``coro`` until it first suspends: None if it finished, else what finishes it.

    An exception raised before the first suspension propagates to the caller.
    """
    try:
        yielded = coro.send(None)
    except StopIteration:
        return None
    return Rest(coro, yielded)


class Rest:
    """The rest of a started coroutine: await it (once) to drive it to its end, or close it."""

    __slots__ = ("_coro", "_yielded")

    def __init__(self, coro: Coroutine[Any, Any, None], yielded: Any) -> None:
        self._coro = coro
        self._yielded = yielded

    def __await__(self) -> Generator[Any, None, None]:
        return _finish(self._coro, self._yielded).__await__()

    def close(self) -> None:
        """Abandon it (its ``finally`` blocks run), when it will never be awaited."""
        self._coro.close()


async def _finish(coro: Coroutine[Any, Any, None], yielded: Any) -> None:
    # What the coroutine yielded is what a task would wait on: an asyncio
    # future, or None for a bare yield (``asyncio.sleep(0)``). It is waited
    # for through a callback, not awaited again: the coroutine's own await
    # already holds it (a second ``await`` of a pending future is an error).
    loop = asyncio.get_running_loop()
    while True:
        try:
            if yielded is None:
                await asyncio.sleep(0)
            else:
                done = loop.create_future()
                yielded.add_done_callback(lambda _f, d=done: d.done() or d.set_result(None))
                await done
        except BaseException as exc:  # cancelled: handed to the coroutine, as a task does
            try:
                yielded = coro.throw(exc)
            except StopIteration:
                return
            continue
        try:
            yielded = coro.send(None)
        except StopIteration:
            return
