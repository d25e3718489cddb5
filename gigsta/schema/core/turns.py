"""Turns on the event loop, one at a time, for results that became ready at once.

A batch loader that fills many lists in one query (`Worker.bookings` of every
worker on a page) wakes all their resolvers in the same event-loop iteration,
and graphql-core then completes every one of those lists before the loop next
polls its sockets. For one admitted request of near-maximum cost (ten lists of
95 bookings) that held every other request, /healthz included, for about
100 ms (`python -m bench.partner_load`). A resolver that awaits `take_turn()`
before returning its list is let through one per iteration, so other
requests' I/O is served between the lists; with nobody waiting, a turn costs
one iteration.
"""

from __future__ import annotations

import asyncio
import weakref
from collections import deque


class Turnstile:
    """Lets the waiters through in order, one per event-loop iteration."""

    def __init__(self, loop: asyncio.AbstractEventLoop) -> None:
        self._loop = loop
        self._waiting: deque[asyncio.Future[None]] = deque()
        self._releasing = False

    async def turn(self) -> None:
        future: asyncio.Future[None] = self._loop.create_future()
        self._waiting.append(future)
        if not self._releasing:
            self._releasing = True
            self._loop.call_soon(self._release_one)
        await future

    def _release_one(self) -> None:
        while self._waiting:
            future = self._waiting.popleft()
            if not future.done():  # a cancelled waiter is skipped
                future.set_result(None)
                break
        if self._waiting:
            self._loop.call_soon(self._release_one)
        else:
            self._releasing = False


_TURNSTILES: weakref.WeakKeyDictionary[asyncio.AbstractEventLoop, Turnstile] = (
    weakref.WeakKeyDictionary()
)


async def take_turn() -> None:
    """Wait for this loop's next free turn (shared by all its requests)."""
    loop = asyncio.get_running_loop()
    turnstile = _TURNSTILES.get(loop)
    if turnstile is None:
        turnstile = _TURNSTILES[loop] = Turnstile(loop)
    await turnstile.turn()
