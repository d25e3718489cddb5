"""Stopping a background task a test started, for certain."""

from __future__ import annotations

import asyncio
from typing import Any


async def stop(task: asyncio.Task[Any]) -> None:
    """Cancel `task` and wait until it has ended.

    A test that only calls `task.cancel()` leaves the task running until its
    next await, and for the rest of the session if that await loses the
    cancellation: on Python 3.11, `asyncio.wait_for` (which the database and
    SMTP clients use) can drop a cancellation that lands as the awaited
    future completes. A sweeper left running that way would go on
    dispatching the outbox (its channels on the real clock) under later
    tests, which then count its commands: what one loaded run of the suite
    showed. So the task is cancelled again until it is done."""
    while not task.done():
        task.cancel()
        await asyncio.wait({task}, timeout=1)
    if not task.cancelled():
        task.result()  # an error it ended with is the test's
