"""viewer.eager.start runs a coroutine now and leaves only a suspended rest for later."""

from __future__ import annotations

import asyncio

import pytest

from viewer.eager import start


async def test_a_coroutine_that_never_suspends_finishes_within_the_call() -> None:
    out: list[int] = []

    async def send() -> None:
        out.append(1)

    assert start(send()) is None
    assert out == [1]


async def test_a_suspended_coroutine_is_finished_by_awaiting_its_rest() -> None:
    gate = asyncio.Event()
    out: list[str] = []

    async def send() -> None:
        out.append("started")
        await gate.wait()
        await asyncio.sleep(0)
        out.append("sent")

    rest = start(send())
    assert rest is not None and out == ["started"]
    finishing = asyncio.create_task(_await(rest))
    await asyncio.sleep(0.01)
    assert not finishing.done()
    gate.set()
    await asyncio.wait_for(finishing, 1)
    assert out == ["started", "sent"]


async def test_errors_reach_the_caller_before_and_after_the_first_suspension() -> None:
    async def broken() -> None:
        raise ConnectionResetError("gone")

    with pytest.raises(ConnectionResetError):
        start(broken())
    fut: asyncio.Future[None] = asyncio.get_running_loop().create_future()

    async def later() -> None:
        await fut

    rest = start(later())
    assert rest is not None
    fut.set_exception(ConnectionResetError("gone later"))
    with pytest.raises(ConnectionResetError, match="later"):
        await rest


async def test_cancelling_the_rest_runs_the_coroutines_cleanup() -> None:
    cleaned: list[bool] = []

    async def send() -> None:
        try:
            await asyncio.Event().wait()
        finally:
            cleaned.append(True)

    rest = start(send())
    assert rest is not None
    task = asyncio.create_task(_await(rest))
    await asyncio.sleep(0.01)
    task.cancel()
    await asyncio.gather(task, return_exceptions=True)
    assert task.cancelled() and cleaned == [True]


async def _await(rest: object) -> None:
    await rest  # type: ignore[misc]
