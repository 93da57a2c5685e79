"""Say what a slow shutdown is waiting for.

A shutdown that hangs (a task that ignores its cancellation, a put waiting
for a writer that stopped) otherwise shows only threads idling in a stack
dump: asyncio tasks are not threads. While :func:`watch_shutdown` is open,
every ``every_s`` seconds it logs each task still pending on the loop with
its stack, so the log of a stuck stop names the await it is stuck on.
It changes nothing in the shutdown itself.
"""

from __future__ import annotations

import asyncio
import contextlib
import io
import logging
from collections.abc import AsyncIterator

__all__ = ["watch_shutdown"]

log = logging.getLogger(__name__)


def _stack(task: asyncio.Task[object]) -> str:
    out = io.StringIO()
    task.print_stack(limit=8, file=out)
    return out.getvalue().rstrip()


async def _report(what: str, every_s: float, watcher: asyncio.Task[object] | None) -> None:
    waited = 0.0
    while True:
        await asyncio.sleep(every_s)
        waited += every_s
        me = asyncio.current_task()
        pending = [t for t in asyncio.all_tasks() if t is not me and t is not watcher]
        log.warning(
            "%s still waiting after %.0f s; %d tasks pending:\n%s",
            what,
            waited,
            len(pending),
            "\n".join(f"- {t.get_name()}\n{_stack(t)}" for t in pending),
        )


@contextlib.asynccontextmanager
async def watch_shutdown(what: str, every_s: float = 30.0) -> AsyncIterator[None]:
    """Log the pending tasks and their stacks every ``every_s`` s until the block ends."""
    reporter = asyncio.create_task(
        _report(what, every_s, asyncio.current_task()), name="shutdown-watch"
    )
    try:
        yield
    finally:
        reporter.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await reporter
