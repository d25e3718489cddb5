"""Bringing a booking in line with its PaymentIntent (webhooks, reconcile).

Stripe's events are a nudge, not the truth: the intent is read again and the
booking moved to match, so deliveries arriving out of order cannot move a
booking backwards.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from gigsta.documents import booking_store as store
from gigsta.domain.bookings.actions import ActorRole, BookingStatus, Transition, decide
from gigsta.domain.payments.effects import PaymentStatus
from gigsta.domain.payments.intents import refunded_status

if TYPE_CHECKING:
    from datetime import datetime

    from gigsta.documents import Booking
    from gigsta.documents.payments import BookingPayment
    from gigsta.integrations.stripe_gateway import StripeGateway
    from gigsta.integrations.stripe_results import IntentState


def payment_from_intent(payment: BookingPayment, intent: IntentState) -> BookingPayment:
    """The booking's payment updated from what Stripe says now."""
    status = intent.payment_status
    if status is None:  # still processing: nothing to record yet
        return payment
    updated = payment.model_copy(update={"status": status})
    if status is not PaymentStatus.REQUIRES_ACTION:
        updated.client_secret = None
    if status is PaymentStatus.AUTHORIZED:
        updated.authorized_amount = intent.amount
    elif status is PaymentStatus.FAILED:
        updated.failure_message = intent.error_message or "The card was declined."
    elif status is PaymentStatus.CAPTURED:
        if payment.status not in {PaymentStatus.CAPTURED, PaymentStatus.REFUNDED}:
            updated.captured_amount = intent.captured_amount()
        captured = updated.captured_amount
        updated.refunded_amount = max(
            payment.refunded_amount, intent.refunded_after_capture(captured)
        )
        updated.status = refunded_status(captured, updated.refunded_amount)
    return updated


async def _system_transition(
    booking: Booking, action: str, payment: BookingPayment, now: datetime
) -> Booking | None:
    """Apply a system action that records a payment Stripe already moved."""
    decision = decide(booking.facts(), action, ActorRole.SYSTEM, now)
    if not isinstance(decision, Transition):
        return None
    return await store.apply_transition(booking, decision, payment=payment)


async def sync_from_intent(
    gateway: StripeGateway, booking: Booking, now: datetime
) -> Booking | None:
    """Record the intent's state on the booking; None when nothing changed."""
    if booking.payment is None or booking.payment.intent_id is None:
        return None
    intent = await gateway.retrieve_intent(booking.payment.intent_id)
    payment = payment_from_intent(booking.payment, intent)
    if booking.status is BookingStatus.PENDING_PAYMENT:
        if payment.status is PaymentStatus.AUTHORIZED:
            return await _system_transition(booking, "payment_authorized", payment, now)
        if payment.status in {PaymentStatus.FAILED, PaymentStatus.RELEASED}:
            return await _system_transition(
                booking, "authorization_failed", payment, now
            )
        return None
    if payment == booking.payment or booking.payment_lock is not None:
        return None
    return await store.record_payment(booking, payment, now)
