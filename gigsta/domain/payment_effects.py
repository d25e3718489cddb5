"""What each booking action does to the customer's money (pure).

The booking action table says where a booking goes; this module says what has
to happen at Stripe first. An effect is a *target* ("captured: 4 500",
"refunded: 11 000"), not a delta, so executing it twice converges on the same
state: the executor compares the target with the PaymentIntent's current state
and moves only the difference. That, plus an idempotency key per
(booking, action, version), is how a retried transition never charges twice.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum
from types import MappingProxyType
from typing import TYPE_CHECKING

from gigsta.domain.booking_actions import ACTIONS
from gigsta.domain.pricing import cancellation_terms

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


class Policy(StrEnum):
    """How an action treats the money (one entry per action in the table)."""

    NONE = "none"  # the money stays where it is
    CAPTURE = "capture"  # take the full total
    RELEASE = "release"  # give everything back (release a hold, or refund)
    CUSTOMER_CANCEL = "customer_cancel"  # free, or the late-cancellation fee


POLICY_BY_ACTION: Mapping[str, Policy] = MappingProxyType(
    {
        "accept": Policy.NONE,
        "decline": Policy.RELEASE,
        "cancel": Policy.CUSTOMER_CANCEL,
        "withdraw": Policy.RELEASE,
        "start": Policy.NONE,
        "complete": Policy.NONE,
        "confirm": Policy.CAPTURE,
        "dispute": Policy.NONE,
        "resolve_for_worker": Policy.CAPTURE,
        "resolve_for_customer": Policy.RELEASE,
        "admin_cancel": Policy.RELEASE,
        "expire": Policy.RELEASE,
        "auto_confirm": Policy.CAPTURE,
        # The money already moved at Stripe; the webhook only records it.
        "payment_authorized": Policy.NONE,
        "authorization_failed": Policy.NONE,
        "expire_unpaid": Policy.RELEASE,
    }
)


class EffectKind(StrEnum):
    NONE = "none"
    # Capture `capture_amount` of the hold; Stripe releases the rest.
    CAPTURE = "capture"
    # No hold was ever placed (a deferred hold the sweeper did not get to):
    # place one on the saved card, off session, then capture as above.
    CHARGE_SAVED_CARD = "charge_saved_card"
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
    summary: str = ""


NO_EFFECT = PaymentEffect(EffectKind.NONE)


def _release(payment: PaymentFacts) -> PaymentEffect:
    if payment.status in {PaymentStatus.AUTHORIZED, PaymentStatus.REQUIRES_ACTION}:
        return PaymentEffect(EffectKind.RELEASE, summary="The card hold is released.")
    if payment.status is PaymentStatus.CAPTURED and payment.refunded < payment.captured:
        return PaymentEffect(
            EffectKind.REFUND,
            refunded_total=payment.captured,
            summary="The payment is refunded in full.",
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
            summary=f"{amount} charged to the saved card.",
        )
    if payment.status is not PaymentStatus.AUTHORIZED:
        return NO_EFFECT
    return PaymentEffect(
        EffectKind.CAPTURE,
        capture_amount=amount,
        worker_payout=payout,
        summary=f"{amount} captured.",
    )


def payment_effect(
    action: str,
    payment: PaymentFacts | None,
    *,
    scheduled_start: datetime,
    now: datetime,
) -> PaymentEffect:
    """The money movement `action` needs now. Raises KeyError for unknown actions."""
    if action not in ACTIONS:
        raise KeyError(action)
    policy = POLICY_BY_ACTION[action]
    if payment is None or policy is Policy.NONE:
        return NO_EFFECT
    if policy is Policy.CAPTURE:
        return _capture(payment, payment.total, payment.worker_payout)
    if policy is Policy.RELEASE:
        return _release(payment)
    terms = cancellation_terms(
        scheduled_start=scheduled_start,
        late_cancellation_fee=payment.late_cancellation_fee,
        late_cancellation_payout=payment.late_cancellation_payout,
        now=now,
    )
    if terms.is_free:
        return _release(payment)
    # Cancellation comes before any capture, so a late one captures the fee
    # from the hold (nothing to do if the hold was never placed).
    return _capture(payment, terms.fee, terms.worker_payout)
