"""Payment work the sweeper does on every pass.

- `send_pending_payouts`: transfer workers' shares once their Connect account
  can receive payouts.
- `reconcile`: repair bookings whose payment state disagrees with Stripe's
  (a missed webhook, or a process that died between Stripe and our write).

Safe with several instances: every change is a conditional update, and every
Stripe call is keyed by (booking, action, version).
"""

from __future__ import annotations

import logging
from datetime import datetime
from typing import TYPE_CHECKING, Any

from gigsta.documents import Booking, Worker
from gigsta.documents import booking_store as store
from gigsta.documents.payments import PayoutStatus
from gigsta.domain.bookings.actions import BookingStatus
from gigsta.integrations.stripe_gateway import PaymentGatewayError
from gigsta.resolvers.payments import payouts
from gigsta.resolvers.payments.executor import (
    STALE_LOCK_AFTER,
    finish_locked_transition,
)
from gigsta.resolvers.payments.sync import sync_from_intent

if TYPE_CHECKING:
    from gigsta.integrations.stripe_gateway import StripeGateway

log = logging.getLogger(__name__)

BATCH_SIZE = 200


async def run_payment_jobs(gateway: StripeGateway, now: datetime) -> dict[str, int]:
    # Reconcile first: what it repairs (an authorization, a worker's payouts
    # being enabled) is then acted on in the same pass.
    reconciled = await reconcile(gateway, now)
    return {
        "reconciled": reconciled,
        "payouts_sent": await send_pending_payouts(gateway, now),
    }


async def send_pending_payouts(gateway: StripeGateway, now: datetime) -> int:
    """Send the shares waiting for workers whose payouts are now enabled."""
    workers = await Worker.find(
        {"payouts_enabled": True, "stripe_account_id": {"$ne": None}}
    ).to_list()
    if not workers:
        return 0
    sent = 0
    waiting = (
        await Booking.find(
            {
                "payout.status": PayoutStatus.PENDING.value,
                "worker_id": {"$in": [w.id for w in workers]},
            }
        )
        .limit(BATCH_SIZE)
        .to_list()
    )
    for booking in waiting:
        if await payouts.send_payout(gateway, booking, now):
            sent += 1
    return sent


async def reconcile(gateway: StripeGateway, now: datetime) -> int:
    """Repair what a crash or a lost webhook left behind; returns repairs made."""
    repaired = 0
    stale: dict[str, Any] = {"payment_lock.at": {"$lte": now - STALE_LOCK_AFTER}}
    for booking in await Booking.find(stale).limit(BATCH_SIZE).to_list():
        if await finish_locked_transition(gateway, booking, now):
            repaired += 1
    waiting = (
        await Booking.find(
            {
                "status": BookingStatus.PENDING_PAYMENT.value,
                "payment.intent_id": {"$ne": None},
                "payment_lock": None,
            }
        )
        .limit(BATCH_SIZE)
        .to_list()
    )
    for booking in waiting:
        try:
            if await sync_from_intent(gateway, booking, now):
                repaired += 1
        except PaymentGatewayError as exc:
            log.warning("reconcile of %s failed: %s", booking.id, exc)
    return repaired + await _refresh_waiting_accounts(gateway)


async def _refresh_waiting_accounts(gateway: StripeGateway) -> int:
    """Ask Stripe about workers who are owed money but cannot be paid yet
    (their `account.updated` webhook may have been lost)."""
    owed = await store.workers_owed_payouts()
    if not owed:
        return 0
    refreshed = 0
    waiting = (
        await Worker.find(
            {
                "_id": {"$in": owed},
                "payouts_enabled": False,
                "stripe_account_id": {"$ne": None},
            }
        )
        .limit(BATCH_SIZE)
        .to_list()
    )
    for worker in waiting:
        assert worker.stripe_account_id is not None
        try:
            account = await gateway.retrieve_account(worker.stripe_account_id)
        except PaymentGatewayError as exc:
            log.warning("account %s not checked: %s", worker.stripe_account_id, exc)
            continue
        if account.payouts_enabled:
            await Worker.get_pymongo_collection().update_one(
                {"_id": worker.id}, {"$set": {"payouts_enabled": True}}
            )
            refreshed += 1
    return refreshed
