"""`stop` ends a task even when the task lets a cancellation go by once."""

from __future__ import annotations

import asyncio

from gigsta.resolvers.core.stopping import stop


async def test_a_task_that_lost_a_cancellation_is_cancelled_again():
    lost = []

    async def stubborn() -> None:
        while True:
            try:
                await asyncio.sleep(3600)
            except asyncio.CancelledError:
                if lost:
                    raise
                lost.append(True)  # as a cancellation lost in wait_for

    task = asyncio.create_task(stubborn())
    await asyncio.sleep(0)
    await asyncio.wait_for(stop(task, retry_seconds=0.01), timeout=5)
    assert lost == [True]
    assert task.cancelled()


async def test_an_error_a_task_ended_with_is_not_raised_by_stop():
    async def failing() -> None:
        raise RuntimeError("went wrong")

    task = asyncio.create_task(failing())
    await asyncio.sleep(0)
    await stop(task)
    assert isinstance(task.exception(), RuntimeError)
