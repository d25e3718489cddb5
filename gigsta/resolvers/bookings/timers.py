"""System transitions that fall due with time (`expire`, `auto_confirm`, ...).

Safe with several server instances sweeping at once: every move is the same
conditional update on `_id` + `version` as a user action, so each due booking
moves exactly once and the losers of a race simply skip it.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import datetime
from types import MappingProxyType
from typing import Any

from gigsta.documents import Booking
from gigsta.domain.booking_actions import (
    AUTO_CONFIRM_AFTER_COMPLETION,
    EXPIRE_AFTER_REQUEST,
    PAYMENT_ACTION_TIMEOUT,
    SYSTEM_ACTIONS,
    ActorRole,
    BookingStatus,
    Transition,
    decide,
)
from gigsta.resolvers import payment_jobs
from gigsta.resolvers.payments import Payments, run_transition

log = logging.getLogger(__name__)

BATCH_SIZE = 200

# The database side of each system action's time guard: a filter that finds
# every booking the domain would consider due at `now` (the domain re-checks each
# one, so a filter may over-select but must never miss). A test asserts that
# every system action in the table has an entry here.
DueFilter = Callable[[datetime], dict[str, Any]]
DUE_FILTERS: Mapping[str, DueFilter] = MappingProxyType(
    {
        "expire": lambda now: {
            "status": BookingStatus.REQUESTED.value,
            "$or": [
                {"created_at": {"$lte": now - EXPIRE_AFTER_REQUEST}},
                {"scheduled_start": {"$lte": now}},
            ],
        },
        "auto_confirm": lambda now: {
            "status": BookingStatus.COMPLETED.value,
            "completed_at": {"$lte": now - AUTO_CONFIRM_AFTER_COMPLETION},
        },
        "expire_unpaid": lambda now: {
            "status": BookingStatus.PENDING_PAYMENT.value,
            "created_at": {"$lte": now - PAYMENT_ACTION_TIMEOUT},
        },
    }
)


@dataclass
class SweepReport:
    moved: dict[str, int] = field(default_factory=dict)
    lost_races: int = 0
    payment_failures: int = 0
    payments: dict[str, int] = field(default_factory=dict)

    @property
    def total(self) -> int:
        return sum(self.moved.values())


async def sweep(now: datetime, payments: Payments | None = None) -> SweepReport:
    """Apply every system action that is due at `now`, then the payment jobs."""
    report = SweepReport()
    gateway = payments.gateway if payments is not None else None
    for rule in SYSTEM_ACTIONS:
        moved = 0
        seen: set[Any] = set()
        while True:
            query = {**DUE_FILTERS[rule.name](now), "_id": {"$nin": list(seen)}}
            batch = await Booking.find(query).limit(BATCH_SIZE).to_list()
            if not batch:
                break
            for booking in batch:
                seen.add(booking.id)
                decision = decide(booking.facts(), rule.name, ActorRole.SYSTEM, now)
                if not isinstance(decision, Transition) or booking.id is None:
                    continue
                outcome = await run_transition(gateway, booking, decision, now)
                if outcome.errors:
                    # Stripe failed: the booking stays due and the next pass
                    # retries with the same idempotency key.
                    report.payment_failures += 1
                elif outcome.booking is not None:
                    moved += 1
                else:
                    report.lost_races += 1
        report.moved[rule.name] = moved
        if moved:
            log.info("sweep applied %s to %d booking(s)", rule.name, moved)
    if payments is not None:
        report.payments = await payment_jobs.run_payment_jobs(payments.gateway, now)
    return report
