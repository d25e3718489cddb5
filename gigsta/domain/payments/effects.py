"""What each booking action does to the customer's money (pure).

The booking action table says where a booking goes; this module says what has
to happen at Stripe first. An effect is a *target* ("captured: 4 500",
"refunded: 11 000"), not a delta, so executing it twice converges on the same
state: the executor compares the target with the PaymentIntent's current state
and moves only the difference. That, plus an idempotency key per
(booking, action, version), is how a retried transition never charges twice.
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum
from types import MappingProxyType
from typing import TYPE_CHECKING

from gigsta.domain.bookings.actions import (
    ACTION_TABLE,
    ACTIONS,
    BookingStatus,
    MoneyPolicy,
)
from gigsta.domain.payments.pricing import cancellation_terms

if TYPE_CHECKING:
    from collections.abc import Mapping


class PaymentStatus(StrEnum):
    """Where the customer's money is for one booking."""

    # The hold will be placed 48 h before the start (saved card, no hold yet).
    DEFERRED = "deferred"
    # 3-D Secure (or similar) is waiting for the customer.
    REQUIRES_ACTION = "requires_action"
    AUTHORIZED = "authorized"
    CAPTURED = "captured"
    RELEASED = "released"
    REFUNDED = "refunded"
    FAILED = "failed"


# The money policy is a column of the booking action table; this view of it
# keeps one name per action for readers and tests.
Policy = MoneyPolicy
POLICY_BY_ACTION: Mapping[str, MoneyPolicy] = MappingProxyType(
    {rule.name: rule.money for rule in ACTION_TABLE}
)


class EffectKind(StrEnum):
    NONE = "none"
    # Capture `capture_amount` of the hold; Stripe releases the rest.
    CAPTURE = "capture"
    # No hold was ever placed (a deferred hold the sweeper did not get to):
    # place one on the saved card, off session, then capture as above.
    CHARGE_SAVED_CARD = "charge_saved_card"
    # Place the deferred hold on the saved card, off session (nothing captured).
    HOLD = "hold"
    # Cancel the PaymentIntent: the whole hold is released.
    RELEASE = "release"
    # Already captured: refund until `refunded_total` has been refunded.
    REFUND = "refund"


@dataclass(frozen=True, slots=True)
class PaymentFacts:
    """What the domain needs to know about a booking's payment."""

    status: PaymentStatus
    total: int
    captured: int
    refunded: int
    late_cancellation_fee: int
    late_cancellation_payout: int
    worker_payout: int


@dataclass(frozen=True, slots=True)
class PaymentEffect:
    kind: EffectKind
    capture_amount: int = 0
    refunded_total: int = 0
    # What the worker is owed once this effect is done (0: nothing new).
    worker_payout: int = 0
    # A cancellation inside the late window that is free only because the
    # worker never accepted (the note says so).
    fee_waived: bool = False


NO_EFFECT = PaymentEffect(EffectKind.NONE)


def _release(payment: PaymentFacts) -> PaymentEffect:
    if payment.status in {PaymentStatus.AUTHORIZED, PaymentStatus.REQUIRES_ACTION}:
        return PaymentEffect(EffectKind.RELEASE)
    if payment.status is PaymentStatus.CAPTURED and payment.refunded < payment.captured:
        return PaymentEffect(
            EffectKind.REFUND,
            refunded_total=payment.captured,
        )
    return NO_EFFECT


def _capture(payment: PaymentFacts, amount: int, payout: int) -> PaymentEffect:
    if payment.status is PaymentStatus.CAPTURED and payment.captured == amount:
        # Captured already (a retry whose first answer was lost, recorded
        # meanwhile from a webhook): nothing to move, but the worker is owed.
        return PaymentEffect(EffectKind.NONE, worker_payout=payout)
    if payment.status is PaymentStatus.DEFERRED:
        # Money is due but the deferred hold never happened: charge the saved
        # card now rather than let the booking end unpaid.
        return PaymentEffect(
            EffectKind.CHARGE_SAVED_CARD,
            capture_amount=amount,
            worker_payout=payout,
        )
    if payment.status is not PaymentStatus.AUTHORIZED:
        return NO_EFFECT
    return PaymentEffect(
        EffectKind.CAPTURE,
        capture_amount=amount,
        worker_payout=payout,
    )


def payment_effect(
    action: str,
    payment: PaymentFacts | None,
    *,
    scheduled_start: datetime,
    now: datetime,
    booking_status: BookingStatus,
) -> PaymentEffect:
    """The money movement `action` needs now. Raises KeyError for unknown actions.

    `booking_status` is the status the action is taken from. The customer's
    late-cancellation fee is owed only for an `ACCEPTED` booking: a worker who
    never committed to the job has lost nothing, so cancelling a request is
    always free and releases the hold, however close the start is.
    """
    policy = ACTIONS[action].money
    if payment is None or policy is MoneyPolicy.NONE:
        return NO_EFFECT
    if policy is MoneyPolicy.CAPTURE:
        return _capture(payment, payment.total, payment.worker_payout)
    if policy is MoneyPolicy.HOLD:
        deferred = payment.status is PaymentStatus.DEFERRED
        return PaymentEffect(EffectKind.HOLD) if deferred else NO_EFFECT
    if policy is MoneyPolicy.RELEASE:
        return _release(payment)
    return _customer_cancel(
        payment, scheduled_start=scheduled_start, now=now, booking_status=booking_status
    )


def _customer_cancel(
    payment: PaymentFacts,
    *,
    scheduled_start: datetime,
    now: datetime,
    booking_status: BookingStatus,
) -> PaymentEffect:
    terms = cancellation_terms(
        scheduled_start=scheduled_start,
        late_cancellation_fee=payment.late_cancellation_fee,
        late_cancellation_payout=payment.late_cancellation_payout,
        now=now,
    )
    if terms.is_free:
        return _release(payment)
    if booking_status is not BookingStatus.ACCEPTED:
        return dataclasses.replace(_release(payment), fee_waived=True)
    # Cancellation comes before any capture, so a late one captures the fee
    # from the hold (nothing to do if the hold was never placed).
    return _capture(payment, terms.fee, terms.worker_payout)
