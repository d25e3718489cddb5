"""Transitions that move money, and every other transition too.

How a transition runs (`run_transition`):

1. No money moves: one conditional write applies it (`booking_store`).
2. Money moves: claim the booking's payment lock (one conditional update on
   `_id` + `version` + `status`). From then on no other transition can be
   applied, so a customer's late cancellation cannot capture a fee while the
   worker's `accept` slips in. A retry of the *same* transition (same key) may
   take an old lock over, which is what makes retries safe after a crash.
3. Ask Stripe, converging on a target (`domain.payments.effects`): the
   PaymentIntent is read first and only what is missing is done. With the
   idempotency key on every call, real Stripe would also replay the first
   answer; localstripe ignores the key, so this read-then-act is our own
   guarantee.
4. Apply the transition and record the payment in the same conditional write,
   releasing the lock. If Stripe failed, the lock is released, nothing else
   changes, and the caller gets `PAYMENT_FAILED` with Stripe's message (or
   `PAYMENTS_UNAVAILABLE` with ours when Stripe could not be reached).

Idempotency keys are `gigsta:<booking id>:<action>:v<booking version>`.
"""

from __future__ import annotations

import dataclasses
import logging
import secrets
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import TYPE_CHECKING

from gigsta.documents import Booking
from gigsta.documents import booking_store as store
from gigsta.documents.payments import (
    BookingPayment,
    PaymentLock,
    PayoutStatus,
    WorkerPayout,
)
from gigsta.domain.bookings.actions import ActorRole, Transition, decide
from gigsta.domain.core import ErrorCode, UserError
from gigsta.domain.payments.effects import EffectKind, PaymentEffect, PaymentStatus
from gigsta.integrations.stripe_gateway import PaymentGatewayError
from gigsta.resolvers.core.critical import run_to_completion
from gigsta.resolvers.payments import payouts
from gigsta.resolvers.payments.config import idempotency_key
from gigsta.resolvers.payments.holds import HoldRefusedError, hold_saved_card
from gigsta.resolvers.payments.preview import effect_for

if TYPE_CHECKING:
    from gigsta.integrations.stripe_gateway import StripeGateway

log = logging.getLogger(__name__)

# A lock this old outlived any Stripe call (timeouts and retries included):
# its holder died, and a retry of the same transition may take it over.
LOCK_TAKEOVER_AFTER = timedelta(minutes=2)
# The reconcile job finishes transitions whose lock is older than this.
STALE_LOCK_AFTER = timedelta(minutes=10)


@dataclass
class TransitionOutcome:
    """The booking after the transition; None (and no errors) when another
    writer changed it first."""

    booking: Booking | None = None
    errors: list[UserError] = field(default_factory=list)


def _payout(
    booking: Booking, effect: PaymentEffect, now: datetime
) -> WorkerPayout | None:
    """The worker's share this effect makes owed (once per booking)."""
    if effect.worker_payout <= 0 or booking.price is None or booking.payout is not None:
        return None
    return WorkerPayout(
        status=PayoutStatus.PENDING,
        amount=effect.worker_payout,
        currency=booking.price.currency,
        created_at=now,
    )


async def run_transition(
    gateway: StripeGateway | None,
    booking: Booking,
    decision: Transition,
    now: datetime,
) -> TransitionOutcome:
    """Move the money the transition needs, then apply it (see module doc).

    Runs to its end even if the request is cancelled (its time budget, a
    client gone): stopping between the lock and the write would leave the
    booking locked until a takeover, and Stripe ahead of our record.
    """
    return await run_to_completion(_run_transition(gateway, booking, decision, now))


async def _run_transition(
    gateway: StripeGateway | None,
    booking: Booking,
    decision: Transition,
    now: datetime,
) -> TransitionOutcome:
    effect = effect_for(booking, decision.rule.name, now)
    if effect.kind is EffectKind.NONE or booking.payment is None:
        updated = await store.apply_transition(
            booking, decision, payout=_payout(booking, effect, now)
        )
        if updated is not None and gateway is not None:
            updated = await _pay_worker_now(gateway, updated, now)
        return TransitionOutcome(booking=updated)
    if gateway is None:
        raise RuntimeError("payments are not configured (STRIPE_SECRET_KEY)")
    return await _run_locked(gateway, booking, decision, effect, now)


async def _run_locked(
    gateway: StripeGateway,
    booking: Booking,
    decision: Transition,
    effect: PaymentEffect,
    now: datetime,
) -> TransitionOutcome:
    """Steps 2 to 4: lock, converge Stripe on the effect, apply and unlock."""
    lock, effect = _lock_for(booking, decision, effect, now)
    claimed = await store.claim_lock(booking, lock, takeover_after=LOCK_TAKEOVER_AFTER)
    if claimed is None:
        return await _lost_lock(booking)
    try:
        payment = await _execute(gateway, claimed, effect, lock)
    except HoldRefusedError as exc:
        if effect.kind is EffectKind.HOLD:
            return await _hold_refused(claimed, lock, exc, now)
        return await _payment_failed(booking, lock, exc)
    except PaymentGatewayError as exc:
        return await _payment_failed(booking, lock, exc)
    updated = await store.apply_transition(
        booking,
        decision,
        payment=payment,
        payout=_payout(booking, effect, now),
        lock_token=lock.token,
    )
    if updated is None:  # cannot happen while we hold the lock, but never hide it
        log.error("booking %s: lock held but transition %s lost", booking.id, lock.key)
        return TransitionOutcome()
    return TransitionOutcome(booking=await _pay_worker_now(gateway, updated, now))


def _lock_for(
    booking: Booking, decision: Transition, effect: PaymentEffect, now: datetime
) -> tuple[PaymentLock, PaymentEffect]:
    """The lock this attempt takes, with the money movement it commits to.

    A retry of a transition that was interrupted repeats its first decision,
    even if the policy would now differ (a free cancellation retried after
    the 24 h mark stays free).
    """
    event = decision.event
    key = idempotency_key(booking.id, decision.rule.name, booking.version)
    token = secrets.token_hex(8)
    earlier = booking.payment_lock
    if earlier is not None and earlier.key == key:
        repeated = PaymentEffect(
            EffectKind(earlier.effect_kind),
            capture_amount=earlier.capture_amount,
            refunded_total=earlier.refunded_total,
            worker_payout=earlier.worker_payout,
        )
        return earlier.model_copy(update={"at": now, "token": token}), repeated
    lock = PaymentLock(
        key=key,
        token=token,
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
    return lock, effect


async def _lost_lock(booking: Booking) -> TransitionOutcome:
    current = await Booking.get(booking.id)
    if current is None or current.payment_lock is None:
        return TransitionOutcome()
    # Another attempt (a different action, or a duplicate of this one) is
    # talking to Stripe for this booking: it has won the race. The client
    # reloads and retries, exactly as for a stale version.
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


async def _payment_failed(
    booking: Booking, lock: PaymentLock, exc: PaymentGatewayError
) -> TransitionOutcome:
    await store.release_lock(booking.id, lock.token)
    return TransitionOutcome(
        booking=await Booking.get(booking.id),
        errors=[UserError(None, exc.code, exc.message)],
    )


async def _hold_refused(
    booking: Booking, lock: PaymentLock, exc: HoldRefusedError, now: datetime
) -> TransitionOutcome:
    """A deferred hold the card refused ends the booking (`authorization_failed`)."""
    failed = decide(booking.facts(), "authorization_failed", ActorRole.SYSTEM, now)
    if not isinstance(failed, Transition) or booking.payment is None:
        await store.release_lock(booking.id, lock.token)
        return TransitionOutcome(booking=await Booking.get(booking.id))
    payment = booking.payment.model_copy(
        update={
            "status": PaymentStatus.FAILED,
            "failure_message": exc.message,
            "intent_id": exc.intent_id or booking.payment.intent_id,
        }
    )
    updated = await store.apply_transition(
        booking, failed, payment=payment, lock_token=lock.token
    )
    return TransitionOutcome(
        booking=updated,
        errors=[UserError(None, ErrorCode.PAYMENT_DECLINED, exc.message)],
    )


async def _execute(
    gateway: StripeGateway, booking: Booking, effect: PaymentEffect, lock: PaymentLock
) -> BookingPayment:
    """Make Stripe match `effect`; return the payment as it then stands."""
    payment = booking.payment
    assert payment is not None
    if effect.kind is EffectKind.HOLD:
        return await hold_saved_card(gateway, booking, lock.key, lock.token)
    if effect.kind is EffectKind.CHARGE_SAVED_CARD:
        payment = await hold_saved_card(
            gateway, booking, f"{lock.key}:hold", lock.token
        )
        effect = dataclasses.replace(effect, kind=EffectKind.CAPTURE)
    assert payment.intent_id is not None
    intent = await gateway.retrieve_intent(payment.intent_id)
    updated = payment.model_copy(update={"client_secret": None})
    now_status = intent.payment_status
    key = lock.key
    if effect.kind is EffectKind.CAPTURE:
        if now_status is PaymentStatus.AUTHORIZED:
            await gateway.capture(
                intent.id, amount=effect.capture_amount, idempotency_key=key
            )
        elif now_status is not PaymentStatus.CAPTURED:
            raise PaymentGatewayError(
                f"The card hold cannot be captured (it is {intent.status})."
            )
        updated.status = PaymentStatus.CAPTURED
        updated.captured_amount = effect.capture_amount
    elif effect.kind is EffectKind.RELEASE and now_status is not PaymentStatus.CAPTURED:
        if now_status is not PaymentStatus.RELEASED:
            await gateway.cancel(intent.id, idempotency_key=key)
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
    decided = None
    if lock.version == booking.version:
        decided = decide(
            booking.facts(),
            lock.action,
            ActorRole(lock.role),
            now,
            actor_id=lock.actor_id,
            reason=lock.reason,
        )
    if not isinstance(decided, Transition):
        # Nothing to finish: the booking moved on, or the action no longer
        # applies (a timed action is simply taken again when due).
        await store.release_lock(booking.id, lock.token)
        return True
    outcome = await run_transition(gateway, booking, decided, now)
    return outcome.booking is not None and not outcome.errors
