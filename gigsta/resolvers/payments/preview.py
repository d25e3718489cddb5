"""What an action would do to a booking's money now (read-only)."""

from __future__ import annotations

from typing import TYPE_CHECKING

from gigsta.domain.payments.effects import PaymentEffect, payment_effect
from gigsta.domain.payments.notes import money_note

if TYPE_CHECKING:
    from datetime import datetime

    from gigsta.documents import Booking


def effect_for(booking: Booking, action: str, now: datetime) -> PaymentEffect:
    """The money movement `action` needs on this booking at `now`."""
    facts = (
        booking.payment.facts(booking.price)
        if booking.payment is not None and booking.price is not None
        else None
    )
    return payment_effect(
        action,
        facts,
        scheduled_start=booking.scheduled_start,
        now=now,
        booking_status=booking.status,
    )


def action_money_note(booking: Booking, action: str, now: datetime) -> str | None:
    """What taking `action` now would do to the customer's money, in words."""
    if booking.price is None or booking.payment is None:
        return None
    return money_note(
        effect_for(booking, action, now),
        action=action,
        total=booking.price.total,
        currency=booking.price.currency,
    )
