"""What a Stripe PaymentIntent's status means for a booking's payment (pure).

Stripe's statuses are read in one place, here; everything else asks for our
`PaymentStatus`.
"""

from __future__ import annotations

from gigsta.domain.payments.effects import PaymentStatus

_BY_INTENT_STATUS: dict[str, PaymentStatus] = {
    "requires_capture": PaymentStatus.AUTHORIZED,
    # 3-D Secure (or another step) is waiting for the cardholder.
    "requires_action": PaymentStatus.REQUIRES_ACTION,
    "canceled": PaymentStatus.RELEASED,
    # Stripe's word for a card that was refused and wants another one.
    "requires_payment_method": PaymentStatus.FAILED,
    # Captured: `refunded_status` tells a full refund apart.
    "succeeded": PaymentStatus.CAPTURED,
}


def intent_payment_status(intent_status: str) -> PaymentStatus | None:
    """Our payment status for a PaymentIntent status (None: still processing)."""
    return _BY_INTENT_STATUS.get(intent_status)


def refunded_status(captured: int, refunded: int) -> PaymentStatus:
    """A captured payment is REFUNDED once everything captured went back."""
    if captured and refunded >= captured:
        return PaymentStatus.REFUNDED
    return PaymentStatus.CAPTURED
