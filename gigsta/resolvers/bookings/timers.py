"""System transitions that fall due with time (`expire`, `auto_confirm`,
`authorize`, ...), then the payment jobs.

Safe with several server instances sweeping at once: every move is the same
conditional update on `_id` + `version` as a user action, so each due booking
moves exactly once and the losers of a race simply skip it. Which bookings
are due follows from the action table (`booking_store.due_filter`).
"""

from __future__ import annotations

import logging
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from gigsta.documents import Booking
from gigsta.documents import booking_store as store
from gigsta.domain.bookings.actions import SYSTEM_ACTIONS, ActorRole, Transition, decide
from gigsta.resolvers.payments.executor import run_transition
from gigsta.resolvers.payments.jobs import run_payment_jobs

if TYPE_CHECKING:
    from datetime import datetime

    from gigsta.domain.bookings.actions import ActionRule
    from gigsta.integrations.stripe_gateway import StripeGateway
    from gigsta.resolvers.payments.config import Payments

log = logging.getLogger(__name__)

BATCH_SIZE = 200


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
        moved = await _sweep_rule(rule, gateway, now, report)
        report.moved[rule.name] = moved
        if moved:
            log.info("sweep applied %s to %d booking(s)", rule.name, moved)
    if payments is not None:
        report.payments = await run_payment_jobs(payments.gateway, now)
    return report


async def _sweep_rule(
    rule: ActionRule, gateway: StripeGateway | None, now: datetime, report: SweepReport
) -> int:
    """Apply `rule` to every booking due for it; returns how many moved."""
    moved = 0
    seen: set[Any] = set()
    while True:
        query = {**store.due_filter(rule, now), "_id": {"$nin": list(seen)}}
        batch = await Booking.find(query).limit(BATCH_SIZE).to_list()
        if not batch:
            return moved
        for booking in batch:
            seen.add(booking.id)
            decision = decide(booking.facts(), rule.name, ActorRole.SYSTEM, now)
            if not isinstance(decision, Transition):
                continue
            outcome = await run_transition(gateway, booking, decision, now)
            if outcome.errors:
                # Stripe failed or refused: a failure to reach it leaves the
                # booking due, and the next pass retries with the same key.
                report.payment_failures += 1
            elif outcome.booking is not None:
                moved += 1
            else:
                report.lost_races += 1
