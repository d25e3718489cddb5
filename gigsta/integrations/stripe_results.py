"""What the Stripe gateway hands back: the PaymentIntent and Connect account
as GigSta reads them, parsed from Stripe's answers."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from gigsta.domain.payments.intents import intent_payment_status

if TYPE_CHECKING:
    from gigsta.domain.payments.effects import PaymentStatus


@dataclass(frozen=True, slots=True)
class IntentState:
    """A PaymentIntent as GigSta needs it (amounts in cents)."""

    id: str
    status: str
    amount: int
    currency: str
    client_secret: str | None
    captured: bool
    charge_amount: int
    amount_refunded: int
    # Stripe reports `amount_captured` on the charge; localstripe does not (it
    # records a partial capture as a capture of everything plus a refund).
    amount_captured_reported: int | None
    customer: str | None
    payment_method: str | None
    error_message: str | None
    metadata: dict[str, str]

    @property
    def payment_status(self) -> PaymentStatus | None:
        """Our reading of the intent's status (the domain's one mapping)."""
        return intent_payment_status(self.status)

    def captured_amount(self, refunded_since: int = 0) -> int:
        """What was captured. `refunded_since`: refunds made after the capture
        (needed for localstripe only, which folds them into one number)."""
        if not self.captured:
            return 0
        if self.amount_captured_reported is not None:
            return self.amount_captured_reported
        return self.charge_amount - self.amount_refunded + refunded_since

    def refunded_after_capture(self, captured: int) -> int:
        """Refunds of captured money (not the uncaptured rest of a hold)."""
        if self.amount_captured_reported is not None:
            return self.amount_refunded
        return max(0, self.amount_refunded - (self.charge_amount - captured))


@dataclass(frozen=True, slots=True)
class AccountState:
    id: str
    payouts_enabled: bool


def intent_state(data: dict[str, Any]) -> IntentState:
    """A PaymentIntent as Stripe returns it (`latest_charge` expanded)."""
    charge = data.get("latest_charge")
    charge = charge if isinstance(charge, dict) else {}
    error = data.get("last_payment_error") or {}
    return IntentState(
        id=str(data["id"]),
        status=str(data["status"]),
        amount=int(data["amount"]),
        currency=str(data["currency"]),
        client_secret=data.get("client_secret"),
        captured=bool(charge.get("captured", False)),
        charge_amount=int(charge.get("amount") or 0),
        amount_refunded=int(charge.get("amount_refunded") or 0),
        amount_captured_reported=(
            int(charge["amount_captured"]) if "amount_captured" in charge else None
        ),
        customer=data.get("customer"),
        payment_method=data.get("payment_method"),
        error_message=error.get("message") if isinstance(error, dict) else None,
        metadata={str(k): str(v) for k, v in (data.get("metadata") or {}).items()},
    )
