"""Payments' mutation: Stripe Connect onboarding for workers' payouts."""

from __future__ import annotations

import strawberry

from gigsta.resolvers.payments import payouts as payout_service
from gigsta.schema.core.context import Info
from gigsta.schema.core.errors import UserError, errors_field, user_errors
from gigsta.schema.core.mutations import mutation


@strawberry.type(description="The result of `startPayoutOnboarding`.")
class PayoutOnboardingPayload:
    url: str | None = strawberry.field(
        description="Stripe's Express onboarding page; open it in the browser."
    )
    errors: list[UserError] = errors_field("Why no link was made")


@strawberry.type
class PaymentsMutation:
    @mutation("Start (or resume) Stripe onboarding to receive payouts.")
    async def start_payout_onboarding(self, info: Info) -> PayoutOnboardingPayload:
        result = await payout_service.start_payout_onboarding(
            info.context.viewer, info.context.runtime.payments, info.context.now
        )
        return PayoutOnboardingPayload(
            url=result.url, errors=user_errors(result.errors)
        )
