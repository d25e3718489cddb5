"""Payments: the card hold at request, and the money each transition moves.

How a transition that moves money runs (`run_transition`):

1. Claim the booking: one conditional update on `_id` + `version` + `status`
   sets `payment_lock` to this transition's idempotency key. From then on no
   other transition can be applied (their filter requires no lock), so a
   customer's late cancellation cannot capture a fee while the worker's
   `accept` slips in. A retry of the *same* transition (same key) may take the
   lock over, which is what makes retries safe after a crash.
2. Ask Stripe, converging on a target (`payment_effects`): the PaymentIntent
   is read first, and only what is missing is done. With the idempotency key
   on every call, real Stripe would also replay the first answer; localstripe
   ignores the key, so this read-then-act is our own guarantee.
3. Apply the transition and record the payment in the same conditional write,
   releasing the lock. If Stripe failed, the lock is released, nothing else
   changes, and the caller gets `PAYMENT_FAILED` with Stripe's message.

Idempotency keys are `gigsta:<booking id>:<action>:v<booking version>`.
"""

from __future__ import annotations

import contextlib
import dataclasses
import hashlib
import logging
import secrets
from collections.abc import AsyncIterator
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import TYPE_CHECKING, Any

from beanie import PydanticObjectId
from pymongo import ReturnDocument
from pymongo.errors import DuplicateKeyError

from gigsta.documents import Booking, Customer, Worker
from gigsta.documents.payments import (
    BookingPayment,
    BookingPrice,
    PaymentLock,
    PayoutStatus,
    WorkerPayout,
)
from gigsta.domain.booking_actions import (
    ActorRole,
    BookingStatus,
    Rejection,
    Transition,
    decide,
)
from gigsta.domain.errors import ErrorCode, UserError
from gigsta.domain.payment_effects import (
    EffectKind,
    PaymentEffect,
    PaymentStatus,
    payment_effect,
)
from gigsta.domain.pricing import (
    PricingRates,
    Quote,
    format_money,
    quote,
)
from gigsta.integrations.stripe_gateway import (
    CardDeclinedError,
    PaymentGatewayError,
    StripeGateway,
)
from gigsta.resolvers import bookings, payouts

if TYPE_CHECKING:
    from gigsta.integrations.stripe_gateway import IntentState
    from gigsta.settings import Settings

log = logging.getLogger(__name__)

# Card holds expire after about 7 days: a booking further out than this saves
# the card and is authorized by the sweeper `DEFERRED_HOLD_LEAD` before it.
HOLD_HORIZON = timedelta(days=6)
DEFERRED_HOLD_LEAD = timedelta(hours=48)
# A lock this old outlived any Stripe call (timeouts and retries included):
# its holder died, and a retry of the same transition may take it over.
LOCK_TAKEOVER_AFTER = timedelta(minutes=2)
# The reconcile job finishes transitions whose lock is older than this.
STALE_LOCK_AFTER = timedelta(minutes=10)


def idempotency_key(booking_id: object, action: str, version: int) -> str:
    return f"gigsta:{booking_id}:{action}:v{version}"


@dataclass(frozen=True)
class Payments:
    """What the payment use cases need from the process: Stripe and the rates."""

    gateway: StripeGateway
    rates: PricingRates
    onboarding_return_url: str = ""
    onboarding_refresh_url: str = ""


def payments_from_settings(settings: Settings) -> Payments | None:
    """The process's payments, or None when Stripe is not configured."""
    if settings.stripe_secret_key is None:
        return None
    return Payments(
        gateway=StripeGateway.from_settings(settings),
        rates=PricingRates(
            booking_fee_bps=settings.booking_fee_bps,
            commission_bps=settings.commission_bps,
            late_cancellation_bps=settings.late_cancellation_bps,
        ),
        onboarding_return_url=settings.payout_onboarding_return_url,
        onboarding_refresh_url=settings.payout_onboarding_refresh_url,
    )


# --- the hold at request time -------------------------------------------------


@dataclass
class HoldResult:
    status: BookingStatus | None = None
    payment: BookingPayment | None = None
    price: BookingPrice | None = None
    errors: list[UserError] = field(default_factory=list)
    # A retried request: the booking the first attempt made (nothing new).
    existing: Booking | None = None


async def prepare_request(
    payments: Payments,
    *,
    booking_id: PydanticObjectId,
    customer: Customer,
    worker: Worker,
    service_name: str,
    scheduled_start: datetime,
    scheduled_end: datetime,
    payment_method_id: str | None,
    now: datetime,
) -> HoldResult:
    """Price a new booking and secure the customer's card for it."""
    if not (payment_method_id or "").strip():
        return _payment_error(
            ErrorCode.PAYMENT_METHOD_REQUIRED,
            "Add a card (a Stripe PaymentMethod id) to request a booking.",
        )
    assert payment_method_id is not None
    assert customer.id is not None and worker.id is not None
    retried = await find_retried_request(
        customer.id, worker.id, scheduled_start, scheduled_end, payment_method_id
    )
    if retried is not None:
        return HoldResult(existing=retried)
    if not worker.hourly_rate_cents:
        return HoldResult(
            errors=[
                UserError(
                    "workerId",
                    ErrorCode.RATE_NOT_SET,
                    f"{worker.name} has not set an hourly rate yet.",
                )
            ]
        )
    price = quote(
        hourly_rate=worker.hourly_rate_cents,
        start=scheduled_start,
        end=scheduled_end,
        country=worker.country,
        rates=payments.rates,
        service_name=service_name,
    )
    result = await place_hold(
        payments.gateway,
        booking_id=booking_id,
        customer=customer,
        price=price,
        payment_method_id=payment_method_id.strip(),
        scheduled_start=scheduled_start,
        now=now,
    )
    result.price = BookingPrice.from_quote(price)
    return result


async def find_retried_request(
    customer_id: PydanticObjectId,
    worker_id: PydanticObjectId,
    start: datetime,
    end: datetime,
    payment_method_id: str,
) -> Booking | None:
    """The booking an identical earlier request made, if it is still open.

    A client that lost the answer to `requestBooking` and sends it again gets
    the booking (and the single card hold) it already has; `request_lease`
    keeps two identical requests from both missing it at the same instant.
    """
    return await Booking.find_one(
        {
            "customer_id": customer_id,
            "worker_id": worker_id,
            "scheduled_start": start,
            "scheduled_end": end,
            "payment.payment_method_id": payment_method_id.strip(),
            "status": {
                "$in": [
                    BookingStatus.PENDING_PAYMENT.value,
                    BookingStatus.REQUESTED.value,
                ]
            },
        }
    )


REQUEST_LEASE = timedelta(minutes=2)
REQUEST_LEASES = "booking_request_leases"


@contextlib.asynccontextmanager
async def request_lease(
    customer_id: PydanticObjectId,
    *,
    worker_id: PydanticObjectId,
    start: datetime,
    end: datetime,
    payment_method_id: str | None,
    now: datetime,
) -> AsyncIterator[bool]:
    """Serialise identical booking requests (a double-click, a client retry).

    `find_retried_request` finds the booking an earlier identical request made;
    this lease closes the window in which two identical requests both miss it
    and both place a hold. The lease is one document keyed by the request's
    fingerprint: an insert that collides with a live lease means an identical
    request is in flight (yields False). A lease left by a dead process expires
    after `REQUEST_LEASE`. Yields True without a lease when nothing is charged.
    """
    if not (payment_method_id or "").strip():
        yield True
        return
    assert payment_method_id is not None
    fingerprint = hashlib.sha256(
        "|".join(
            [
                str(customer_id),
                str(worker_id),
                start.isoformat(),
                end.isoformat(),
                payment_method_id.strip(),
            ]
        ).encode()
    ).hexdigest()
    leases = Booking.get_pymongo_collection().database[REQUEST_LEASES]
    try:
        await leases.find_one_and_update(
            {"_id": fingerprint, "expires_at": {"$lt": now}},
            {"$set": {"expires_at": now + REQUEST_LEASE}},
            upsert=True,
        )
    except DuplicateKeyError:
        yield False
        return
    try:
        yield True
    finally:
        await leases.delete_one({"_id": fingerprint})


def _payment_error(code: ErrorCode, message: str) -> HoldResult:
    return HoldResult(errors=[UserError("paymentMethodId", code, message)])


async def _stripe_customer(gateway: StripeGateway, customer: Customer) -> str:
    """The customer's Stripe Customer, created once (first writer wins)."""
    if customer.stripe_customer_id:
        return customer.stripe_customer_id
    created = await gateway.create_customer(
        idempotency_key=f"gigsta:customer:{customer.id}",
        metadata={"gigsta_customer_id": str(customer.id)},
    )
    raw = await Customer.get_pymongo_collection().find_one_and_update(
        {"_id": customer.id, "stripe_customer_id": None},
        {"$set": {"stripe_customer_id": created}},
        return_document=ReturnDocument.AFTER,
    )
    if raw is None:  # another request created one first: use theirs
        current = await Customer.get(customer.id)
        assert current is not None and current.stripe_customer_id is not None
        return current.stripe_customer_id
    return created


async def place_hold(
    gateway: StripeGateway,
    *,
    booking_id: PydanticObjectId,
    customer: Customer,
    price: Quote,
    payment_method_id: str,
    scheduled_start: datetime,
    now: datetime,
) -> HoldResult:
    """Authorize the total on the card now, or save the card for a later hold."""
    currency = price.currency
    metadata = {"booking_id": str(booking_id)}
    try:
        if scheduled_start - now > HOLD_HORIZON:
            stripe_customer = await _stripe_customer(gateway, customer)
            await gateway.attach_payment_method(
                payment_method_id,
                customer=stripe_customer,
                idempotency_key=idempotency_key(booking_id, "save_card", 1),
            )
            return HoldResult(
                status=BookingStatus.REQUESTED,
                payment=BookingPayment(
                    status=PaymentStatus.DEFERRED,
                    currency=currency,
                    payment_method_id=payment_method_id,
                    stripe_customer_id=stripe_customer,
                    authorize_at=scheduled_start - DEFERRED_HOLD_LEAD,
                ),
            )
        intent = await gateway.authorize(
            amount=price.total,
            currency=currency.value,
            payment_method=payment_method_id,
            idempotency_key=idempotency_key(booking_id, "request", 1),
            metadata=metadata,
        )
    except CardDeclinedError as exc:
        return _payment_error(ErrorCode.PAYMENT_DECLINED, exc.message)
    except PaymentGatewayError as exc:
        return _payment_error(ErrorCode.PAYMENT_FAILED, exc.message)
    payment = BookingPayment(
        status=PaymentStatus.AUTHORIZED,
        currency=currency,
        intent_id=intent.id,
        payment_method_id=payment_method_id,
        authorized_amount=intent.amount,
    )
    if intent.status == "requires_capture":
        return HoldResult(status=BookingStatus.REQUESTED, payment=payment)
    if intent.needs_action:
        payment.status = PaymentStatus.REQUIRES_ACTION
        payment.authorized_amount = 0
        payment.client_secret = intent.client_secret
        return HoldResult(status=BookingStatus.PENDING_PAYMENT, payment=payment)
    # Anything else (for example `requires_payment_method`) is a refusal.
    await cancel_quietly(gateway, intent.id, booking_id)
    return _payment_error(
        ErrorCode.PAYMENT_DECLINED,
        intent.error_message or "The card could not be authorized.",
    )


async def cancel_quietly(
    gateway: StripeGateway, intent_id: str, booking_id: PydanticObjectId
) -> None:
    try:
        await gateway.cancel(
            intent_id, idempotency_key=idempotency_key(booking_id, "abandon", 1)
        )
    except PaymentGatewayError:
        log.warning("could not cancel abandoned PaymentIntent %s", intent_id)


async def abandon_hold(
    gateway: StripeGateway, booking_id: PydanticObjectId, payment: BookingPayment
) -> None:
    """Undo a hold whose booking could not be saved (so no money is stranded)."""
    if payment.intent_id:
        await cancel_quietly(gateway, payment.intent_id, booking_id)


# --- transitions that move money ------------------------------------------------


@dataclass
class TransitionOutcome:
    booking: Booking | None = None
    errors: list[UserError] = field(default_factory=list)
    lost_race: bool = False


def _payment_set(payment: BookingPayment) -> dict[str, Any]:
    return {"payment": payment.model_dump(mode="python")}


async def authorize_saved_card(
    gateway: StripeGateway, booking: Booking, idempotency_key: str
) -> IntentState:
    """Hold the booking's total on the card saved for it, off session."""
    payment, price = booking.payment, booking.price
    assert payment is not None and price is not None
    assert payment.payment_method_id is not None
    return await gateway.authorize(
        amount=price.total,
        currency=price.currency.value,
        payment_method=payment.payment_method_id,
        customer=payment.stripe_customer_id,
        off_session=True,
        idempotency_key=idempotency_key,
        metadata={"booking_id": str(booking.id)},
    )


async def _hold_saved_card(
    gateway: StripeGateway, booking: Booking, key: str, lock_token: str
) -> BookingPayment:
    """Place the hold a deferred booking never got, and record it at once."""
    payment, price = booking.payment, booking.price
    assert payment is not None and price is not None and booking.id is not None
    if payment.intent_id is not None:  # an earlier attempt placed it
        return payment
    intent = await authorize_saved_card(gateway, booking, f"{key}:hold")
    if intent.status != "requires_capture":
        await cancel_quietly(gateway, intent.id, booking.id)
        raise PaymentGatewayError(
            intent.error_message
            or "The saved card could not be charged without the cardholder."
        )
    held = payment.model_copy(
        update={
            "intent_id": intent.id,
            "status": PaymentStatus.AUTHORIZED,
            "authorized_amount": intent.amount,
            "authorize_at": None,
        }
    )
    # Recorded before the capture, so a retry captures this hold instead of
    # placing another.
    await Booking.get_pymongo_collection().update_one(
        {"_id": booking.id, "payment_lock.token": lock_token},
        {"$set": _payment_set(held)},
    )
    return held


async def _execute(
    gateway: StripeGateway,
    booking: Booking,
    effect: PaymentEffect,
    key: str,
    lock_token: str,
) -> BookingPayment:
    """Make Stripe match `effect`; return the payment as it then stands."""
    payment = booking.payment
    assert payment is not None
    if effect.kind is EffectKind.CHARGE_SAVED_CARD:
        payment = await _hold_saved_card(gateway, booking, key, lock_token)
        effect = dataclasses.replace(effect, kind=EffectKind.CAPTURE)
    assert payment.intent_id is not None
    intent = await gateway.retrieve_intent(payment.intent_id)
    updated = payment.model_copy()
    updated.client_secret = None
    if effect.kind is EffectKind.CAPTURE:
        if intent.status == "requires_capture":
            intent = await gateway.capture(
                intent.id, amount=effect.capture_amount, idempotency_key=key
            )
        elif intent.status != "succeeded":
            raise PaymentGatewayError(
                f"The card hold cannot be captured (it is {intent.status})."
            )
        updated.status = PaymentStatus.CAPTURED
        updated.captured_amount = effect.capture_amount
    elif effect.kind is EffectKind.RELEASE and intent.status != "succeeded":
        if intent.status != "canceled":
            intent = await gateway.cancel(intent.id, idempotency_key=key)
        updated.status = PaymentStatus.RELEASED
    elif effect.kind is EffectKind.RELEASE:
        # Stripe captured although our record missed it (the capture's answer
        # was lost): giving everything back now means a refund.
        earlier = await gateway.refunds_with_key(intent.id, key)
        captured = intent.captured_amount(refunded_since=earlier)
        await _refund_until(gateway, intent.id, captured - earlier, key)
        updated.status = PaymentStatus.REFUNDED
        updated.captured_amount = captured
        updated.refunded_amount = captured
    elif effect.kind is EffectKind.REFUND:
        missing = effect.refunded_total - payment.refunded_amount
        missing -= await gateway.refunds_with_key(intent.id, key)
        await _refund_until(gateway, intent.id, missing, key)
        updated.status = PaymentStatus.REFUNDED
        updated.refunded_amount = effect.refunded_total
    return updated


async def _refund_until(
    gateway: StripeGateway, intent_id: str, missing: int, key: str
) -> None:
    if missing > 0:
        await gateway.refund(intent_id, amount=missing, idempotency_key=key)


async def claim_lock(
    booking: Booking, lock: PaymentLock, now: datetime
) -> Booking | None:
    """Take the booking's payment lock, as seen at `booking.version` and status;
    a retry with the same key may take over a lock whose holder must be dead."""
    raw = await Booking.get_pymongo_collection().find_one_and_update(
        {
            "_id": booking.id,
            "version": booking.version,
            "status": booking.status.value,
            "$or": [
                {"payment_lock": None},
                {
                    "payment_lock.key": lock.key,
                    "payment_lock.at": {"$lte": now - LOCK_TAKEOVER_AFTER},
                },
            ],
        },
        {"$set": {"payment_lock": lock.model_dump(mode="python")}},
        return_document=ReturnDocument.AFTER,
    )
    return None if raw is None else Booking.model_validate(raw)


async def release_lock(booking_id: PydanticObjectId | None, token: str) -> None:
    await Booking.get_pymongo_collection().update_one(
        {"_id": booking_id, "payment_lock.token": token},
        {"$set": {"payment_lock": None}},
    )


def _payout_set(
    booking: Booking, effect: PaymentEffect, now: datetime
) -> dict[str, Any]:
    """The worker's share this effect makes owed (once per booking)."""
    if effect.worker_payout <= 0 or booking.price is None or booking.payout is not None:
        return {}
    payout = WorkerPayout(
        status=PayoutStatus.PENDING,
        amount=effect.worker_payout,
        currency=booking.price.currency,
        created_at=now,
    )
    return {"payout": payout.model_dump(mode="python")}


def effect_for(booking: Booking, action: str, now: datetime) -> PaymentEffect:
    facts = (
        booking.payment.facts(booking.price)
        if booking.payment is not None and booking.price is not None
        else None
    )
    return payment_effect(
        action, facts, scheduled_start=booking.scheduled_start, now=now
    )


async def run_transition(
    gateway: StripeGateway | None,
    booking: Booking,
    decision: Transition,
    now: datetime,
) -> TransitionOutcome:
    """Move the money the transition needs, then apply it (see module doc)."""
    assert booking.id is not None
    effect = effect_for(booking, decision.rule.name, now)
    if effect.kind is EffectKind.NONE or booking.payment is None:
        updated = await bookings.apply_transition(
            booking.id,
            booking.version,
            decision,
            extra_set=_payout_set(booking, effect, now),
        )
        if updated is not None and gateway is not None:
            updated = await _pay_worker_now(gateway, updated, now)
        return TransitionOutcome(booking=updated, lost_race=updated is None)
    if gateway is None:
        raise RuntimeError("payments are not configured (STRIPE_SECRET_KEY)")
    event = decision.event
    key = idempotency_key(booking.id, decision.rule.name, booking.version)
    lock = PaymentLock(
        key=key,
        token=secrets.token_hex(8),
        action=decision.rule.name,
        version=booking.version,
        role=event.actor_role.value,
        actor_id=event.actor_id,
        reason=event.reason,
        at=now,
        effect_kind=effect.kind.value,
        capture_amount=effect.capture_amount,
        refunded_total=effect.refunded_total,
        worker_payout=effect.worker_payout,
    )
    if booking.payment_lock is not None and booking.payment_lock.key == key:
        # A retry of a transition that was interrupted: repeat its decision.
        lock = booking.payment_lock.model_copy(update={"at": now, "token": lock.token})
        effect = PaymentEffect(
            EffectKind(lock.effect_kind),
            capture_amount=lock.capture_amount,
            refunded_total=lock.refunded_total,
            worker_payout=lock.worker_payout,
        )
    claimed = await claim_lock(booking, lock, now)
    if claimed is None:
        current = await Booking.get(booking.id)
        if current is not None and current.payment_lock is not None:
            # Another attempt (a different action, or a duplicate of this one)
            # is talking to Stripe for this booking: it has won the race. The
            # client reloads and retries, exactly as for a stale version.
            return TransitionOutcome(
                booking=current,
                errors=[
                    UserError(
                        "expectedVersion",
                        ErrorCode.VERSION_CONFLICT,
                        "Another change to this booking is being processed. "
                        "Reload it in a moment and try again.",
                    )
                ],
            )
        return TransitionOutcome(lost_race=True)
    try:
        payment = await _execute(gateway, claimed, effect, key, lock.token)
    except PaymentGatewayError as exc:
        await release_lock(booking.id, lock.token)
        return TransitionOutcome(
            booking=await Booking.get(booking.id),
            errors=[UserError(None, ErrorCode.PAYMENT_FAILED, exc.message)],
        )
    extra = {**_payment_set(payment), **_payout_set(booking, effect, now)}
    updated = await bookings.apply_transition(
        booking.id,
        booking.version,
        decision,
        extra_set=extra,
        payment_lock_token=lock.token,
    )
    if updated is None:  # cannot happen while we hold the lock, but never hide it
        log.error("booking %s: lock held but transition %s lost", booking.id, key)
        return TransitionOutcome(lost_race=True)
    return TransitionOutcome(booking=await _pay_worker_now(gateway, updated, now))


async def _pay_worker_now(
    gateway: StripeGateway, booking: Booking, now: datetime
) -> Booking:
    if booking.payout is None or booking.payout.status is not PayoutStatus.PENDING:
        return booking
    if await payouts.send_payout(gateway, booking, now):
        return await Booking.get(booking.id) or booking
    return booking


async def finish_locked_transition(
    gateway: StripeGateway, booking: Booking, now: datetime
) -> bool:
    """Finish (or abandon) a transition whose process died holding the lock."""
    lock = booking.payment_lock
    if lock is None or booking.id is None:
        return False
    decision = None
    if lock.version == booking.version and lock.action != "authorize":
        decided = decide(
            booking.facts(),
            lock.action,
            ActorRole(lock.role),
            now,
            actor_id=lock.actor_id,
            reason=lock.reason,
        )
        decision = decided if isinstance(decided, Transition) else None
    if decision is None:
        # Nothing to finish (for a deferred hold, the next pass places it
        # again with the same key).
        await release_lock(booking.id, lock.token)
        return True
    outcome = await run_transition(gateway, booking, decision, now)
    return outcome.booking is not None and not outcome.errors


# --- what the customer sees before acting ----------------------------------------


def action_money_note(booking: Booking, action: str, now: datetime) -> str | None:
    """What taking `action` now would do to the customer's money, in words."""
    if booking.price is None or booking.payment is None:
        return None
    effect = effect_for(booking, action, now)
    currency = booking.price.currency
    note: str | None = None
    if effect.kind in {EffectKind.CAPTURE, EffectKind.CHARGE_SAVED_CARD}:
        note = f"{format_money(effect.capture_amount, currency)} is charged."
        if effect.capture_amount < booking.price.total:
            note = (
                f"A {format_money(effect.capture_amount, currency)} cancellation "
                "fee is charged to the card; the rest of the hold is released."
            )
    elif effect.kind is EffectKind.RELEASE:
        note = "The card hold is released in full; nothing is charged."
    elif effect.kind is EffectKind.REFUND:
        note = f"{format_money(effect.refunded_total, currency)} is refunded."
    elif action == "cancel":
        note = "Cancelling now is free."
    return note


# --- system transitions driven by Stripe (webhook, sweeper, reconcile) ----------


async def apply_system_action(
    gateway: StripeGateway | None,
    booking: Booking,
    action: str,
    now: datetime,
    *,
    payment: BookingPayment | None = None,
) -> Booking | None:
    """Apply a system action, recording `payment` with it. None if not legal now."""
    decision = decide(booking.facts(), action, ActorRole.SYSTEM, now)
    if isinstance(decision, Rejection) or booking.id is None:
        return None
    if payment is not None:
        return await bookings.apply_transition(
            booking.id, booking.version, decision, extra_set=_payment_set(payment)
        )
    outcome = await run_transition(gateway, booking, decision, now)
    return outcome.booking


def payment_from_intent(payment: BookingPayment, intent: IntentState) -> BookingPayment:
    """The booking's payment updated from what Stripe says now."""
    updated = payment.model_copy()
    if intent.status == "requires_capture":
        updated.status = PaymentStatus.AUTHORIZED
        updated.authorized_amount = intent.amount
        updated.client_secret = None
    elif intent.status == "requires_action":
        updated.status = PaymentStatus.REQUIRES_ACTION
    elif intent.status == "canceled":
        updated.status = PaymentStatus.RELEASED
        updated.client_secret = None
    elif intent.status == "requires_payment_method":
        updated.status = PaymentStatus.FAILED
        updated.client_secret = None
        updated.failure_message = intent.error_message or "The card was declined."
    elif intent.status == "succeeded":
        updated.client_secret = None
        if payment.status not in {PaymentStatus.CAPTURED, PaymentStatus.REFUNDED}:
            updated.captured_amount = intent.captured_amount()
        captured = updated.captured_amount
        updated.refunded_amount = max(
            payment.refunded_amount, intent.refunded_after_capture(captured)
        )
        updated.status = (
            PaymentStatus.REFUNDED
            if captured and updated.refunded_amount >= captured
            else PaymentStatus.CAPTURED
        )
    return updated


async def sync_from_intent(
    gateway: StripeGateway, booking: Booking, now: datetime
) -> Booking | None:
    """Bring a booking in line with its PaymentIntent (webhooks and reconcile)."""
    if booking.payment is None or booking.payment.intent_id is None:
        return None
    intent = await gateway.retrieve_intent(booking.payment.intent_id)
    payment = payment_from_intent(booking.payment, intent)
    if booking.status is BookingStatus.PENDING_PAYMENT:
        if payment.status is PaymentStatus.AUTHORIZED:
            return await apply_system_action(
                gateway, booking, "payment_authorized", now, payment=payment
            )
        if payment.status in {PaymentStatus.FAILED, PaymentStatus.RELEASED}:
            return await apply_system_action(
                gateway, booking, "authorization_failed", now, payment=payment
            )
        return None
    if payment == booking.payment or booking.payment_lock is not None:
        return None
    raw = await Booking.get_pymongo_collection().find_one_and_update(
        {"_id": booking.id, "version": booking.version, "payment_lock": None},
        {
            "$set": {**_payment_set(payment), "updated_at": now},
            "$inc": {"version": 1},
        },
        return_document=ReturnDocument.AFTER,
    )
    return None if raw is None else Booking.model_validate(raw)
