"""What an action would do to the customer's money, in words (pure)."""

from __future__ import annotations

from typing import TYPE_CHECKING

from gigsta.domain.payments.effects import EffectKind
from gigsta.domain.payments.pricing import format_money

if TYPE_CHECKING:
    from gigsta.domain.accounts import Currency
    from gigsta.domain.payments.effects import PaymentEffect


def money_note(
    effect: PaymentEffect, *, action: str, total: int, currency: Currency
) -> str | None:
    """The sentence `availableActions.paymentNote` shows before the customer acts."""
    if effect.kind in {EffectKind.CAPTURE, EffectKind.CHARGE_SAVED_CARD}:
        if effect.capture_amount < total:
            return (
                f"A {format_money(effect.capture_amount, currency)} cancellation "
                "fee is charged to the card; the rest of the hold is released."
            )
        return f"{format_money(effect.capture_amount, currency)} is charged."
    if effect.kind is EffectKind.RELEASE:
        return (
            "The worker has not accepted yet, so cancelling is free: "
            "the card hold is released in full."
            if effect.fee_waived
            else "The card hold is released in full; nothing is charged."
        )
    if effect.kind is EffectKind.REFUND:
        return f"{format_money(effect.refunded_total, currency)} is refunded."
    if action == "cancel":
        return "Cancelling now is free."
    return None
