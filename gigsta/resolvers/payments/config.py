"""What the payment use cases need from the process: Stripe and the rates."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from gigsta.domain.payments.pricing import PricingRates
from gigsta.integrations.stripe_gateway import StripeGateway

if TYPE_CHECKING:
    from gigsta.settings import Settings


def idempotency_key(booking_id: object, action: str, version: int) -> str:
    """Every Stripe call for a booking step: `gigsta:<booking>:<action>:v<n>`."""
    return f"gigsta:{booking_id}:{action}:v{version}"


@dataclass(frozen=True)
class Payments:
    """Stripe and the platform's rates, when payments are configured."""

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
