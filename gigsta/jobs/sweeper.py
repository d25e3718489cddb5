"""The sweeper loop run beside the server: due booking timers, then the
outbox (emails and webhooks), at a fixed interval."""

from __future__ import annotations

import asyncio
import logging

from gigsta.resolvers.bookings.timers import sweep
from gigsta.resolvers.outbox import Outbox, dispatch
from gigsta.resolvers.payments.config import Payments
from gigsta.runtime import Clock

log = logging.getLogger(__name__)


async def run_sweeper(
    clock: Clock,
    interval_seconds: float,
    payments: Payments | None = None,
    outbox: Outbox | None = None,
) -> None:
    """Sweep due system transitions, then dispatch the outbox (when a channel
    is configured), every `interval_seconds`, until cancelled.

    Several instances may run this at once: moves are conditional updates and
    the outbox claims each record with a lease.
    """
    while True:
        try:
            await sweep(clock(), payments)
        except asyncio.CancelledError:
            raise
        except Exception:
            # A failed pass (database hiccup) must not kill the loop; the next
            # pass retries, since due bookings stay due until moved.
            log.exception("sweep failed; retrying in %.0f s", interval_seconds)
        if outbox is not None:
            try:
                await dispatch(clock, outbox)
            except asyncio.CancelledError:
                raise
            except Exception:
                # Claimed records go back to others when their lease passes.
                log.exception("outbox dispatch failed; retrying next pass")
        await asyncio.sleep(interval_seconds)
