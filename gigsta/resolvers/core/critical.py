"""Steps that must not stop half-way when their request is cancelled.

A request is cancelled when it outlives its time budget, when the client goes
away, or at shutdown. Most work can simply stop at its next `await`. A money
movement cannot: once a booking's payment lock is claimed, or a card hold is
placed for a booking not yet stored, stopping leaves a lock that blocks the
booking until the reconcile job takes it over (minutes later) or a hold on
the customer's card with no booking behind it. So those steps run as tasks of
their own, shielded from the caller's cancellation: the caller gets its
`TIMEOUT` at once and the step still finishes, bounded by the Stripe and
MongoDB clients' own timeouts. The app waits for them at shutdown
(`drain`) before closing its clients.
"""

from __future__ import annotations

import asyncio
import logging
from typing import TYPE_CHECKING, TypeVar

from gigsta.database import is_unavailable

if TYPE_CHECKING:
    from collections.abc import Coroutine
    from typing import Any

T = TypeVar("T")

log = logging.getLogger(__name__)

_running: set[asyncio.Task[Any]] = set()


async def run_to_completion(step: Coroutine[Any, Any, T]) -> T:
    """Await `step`; if the caller is cancelled, `step` still runs to its end."""
    task = asyncio.ensure_future(step)
    _running.add(task)  # the loop keeps only weak references to tasks
    task.add_done_callback(_finished)
    return await asyncio.shield(task)


def _finished(task: asyncio.Task[Any]) -> None:
    _running.discard(task)
    if task.cancelled():
        return
    error = task.exception()  # retrieved here, so never "never retrieved"
    if error is None:
        return
    if is_unavailable(error):
        # An outage, not a bug: the lock takeover and the reconcile job finish
        # the step once the database is back, as after a crash.
        log.warning("a critical step stopped by a database outage: %s", error)
        return
    log.error("a critical step failed after its caller left", exc_info=error)


def in_flight() -> int:
    return len(_running)


async def drain(seconds: float) -> None:
    """Wait (at most `seconds`) for the steps still running."""
    if _running:
        log.info("waiting for %d critical step(s) to finish", len(_running))
        await asyncio.wait(set(_running), timeout=seconds)
