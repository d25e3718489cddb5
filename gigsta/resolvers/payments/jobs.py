"""Payment work the sweeper does on every pass.

- `authorize_deferred`: place the hold 48 h before the start of bookings made
  more than 6 days ahead (their card was saved on a Stripe Customer), off
  session; a card that fails moves the booking to `payment_failed`.
- `send_pending_payouts`: transfer workers' shares once their Connect account
  can receive payouts.
- `reconcile`: repair bookings whose payment state disagrees with Stripe's
  (a missed webhook, or a process that died between Stripe and our write).

Safe with several instances: every change is a conditional update, and every
Stripe call is keyed by (booking, action, version).
"""

from __future__ import annotations

import logging
import secrets
from datetime import datetime
from typing import TYPE_CHECKING, Any

from gigsta.documents import Booking, Worker
from gigsta.documents.payments import BookingPayment, PaymentLock, PayoutStatus
from gigsta.domain.booking_actions import ActorRole, BookingStatus, Rejection, decide
from gigsta.domain.payment_effects import PaymentStatus
from gigsta.integrations.stripe_gateway import CardDeclinedError, PaymentGatewayError
from gigsta.resolvers import payments as payment_service
from gigsta.resolvers import payouts
from gigsta.resolvers.bookings import apply_transition

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
        "authorized": await authorize_deferred(gateway, now),
        "payouts_sent": await send_pending_payouts(gateway, now),
    }


async def authorize_deferred(gateway: StripeGateway, now: datetime) -> int:
    """Place the holds that fall due now; returns how many succeeded."""
    done = 0
    due = (
        await Booking.find(
            {
                "payment.status": PaymentStatus.DEFERRED.value,
                "payment.authorize_at": {"$lte": now},
                "status": {
                    "$in": [BookingStatus.REQUESTED.value, BookingStatus.ACCEPTED.value]
                },
                "payment_lock": None,
            }
        )
        .limit(BATCH_SIZE)
        .to_list()
    )
    for booking in due:
        if await _authorize_one(gateway, booking, now):
            done += 1
    return done


async def _authorize_one(
    gateway: StripeGateway, booking: Booking, now: datetime
) -> bool:
    payment, price = booking.payment, booking.price
    assert payment is not None and price is not None and booking.id is not None
    key = payment_service.idempotency_key(booking.id, "authorize", booking.version)
    lock = PaymentLock(
        key=key,
        token=secrets.token_hex(8),
        action="authorize",
        version=booking.version,
        role=ActorRole.SYSTEM.value,
        at=now,
    )
    if await payment_service.claim_lock(booking, lock, now) is None:
        return False
    updated: BookingPayment = payment.model_copy()
    try:
        intent = await payment_service.authorize_saved_card(gateway, booking, key)
    except CardDeclinedError as exc:
        updated.status = PaymentStatus.FAILED
        updated.failure_message = exc.message
    except PaymentGatewayError as exc:
        # Stripe unreachable: try again on the next pass, same key.
        log.warning("deferred hold for %s not placed yet: %s", booking.id, exc)
        await payment_service.release_lock(booking.id, lock.token)
        return False
    else:
        updated.intent_id = intent.id
        if intent.status == "requires_capture":
            updated.status = PaymentStatus.AUTHORIZED
            updated.authorized_amount = intent.amount
        else:
            # Off session there is no customer to authenticate: a card that
            # wants 3-D Secure now has failed for this booking.
            updated.status = PaymentStatus.FAILED
            updated.failure_message = (
                intent.error_message
                or "The card needs the cardholder's authentication and could "
                "not be charged automatically."
            )
            await payment_service.cancel_quietly(gateway, intent.id, booking.id)
    if updated.status is PaymentStatus.AUTHORIZED:
        result = await Booking.get_pymongo_collection().update_one(
            {"_id": booking.id, "payment_lock.token": lock.token},
            {
                "$set": {
                    "payment": updated.model_dump(mode="python"),
                    "payment_lock": None,
                    "updated_at": now,
                },
                "$inc": {"version": 1},
            },
        )
        return result.modified_count == 1
    decision = decide(booking.facts(), "authorization_failed", ActorRole.SYSTEM, now)
    if isinstance(decision, Rejection):
        await payment_service.release_lock(booking.id, lock.token)
        return False
    await apply_transition(
        booking.id,
        booking.version,
        decision,
        extra_set={"payment": updated.model_dump(mode="python")},
        payment_lock_token=lock.token,
    )
    return False


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
    stale: dict[str, Any] = {
        "payment_lock.at": {"$lte": now - payment_service.STALE_LOCK_AFTER}
    }
    for booking in await Booking.find(stale).limit(BATCH_SIZE).to_list():
        if await payment_service.finish_locked_transition(gateway, booking, now):
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
            if await payment_service.sync_from_intent(gateway, booking, now):
                repaired += 1
        except PaymentGatewayError as exc:
            log.warning("reconcile of %s failed: %s", booking.id, exc)
    return repaired + await _refresh_waiting_accounts(gateway)


async def _refresh_waiting_accounts(gateway: StripeGateway) -> int:
    """Ask Stripe about workers who are owed money but cannot be paid yet
    (their `account.updated` webhook may have been lost)."""
    owed = await Booking.get_pymongo_collection().distinct(
        "worker_id", {"payout.status": PayoutStatus.PENDING.value}
    )
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
