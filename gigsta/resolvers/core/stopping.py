"""Stopping a background task of this process for certain."""

from __future__ import annotations

import asyncio
from typing import Any


async def stop(task: asyncio.Task[Any], *, retry_seconds: float = 1.0) -> None:
    """Cancel `task` and wait until it has ended, cancelling it again each
    `retry_seconds` while it runs on: on Python 3.11, `asyncio.wait_for`
    (which the database and SMTP clients use) can drop a cancellation that
    lands as the future it awaits completes, and a loop that lost one would
    otherwise keep shutdown waiting for ever. Whatever the task ended with
    (its cancellation, an error, a result) is not raised here."""
    while not task.done():
        task.cancel()
        await asyncio.wait({task}, timeout=retry_seconds)
    if not task.cancelled():
        task.exception()  # retrieved: asyncio does not warn of it
