"""Bookings' mutations: request a booking, take one of its actions."""

from __future__ import annotations

from dataclasses import asdict
from datetime import datetime

import strawberry

from gigsta.domain.bookings.limits import (
    MAX_DESCRIPTION_LENGTH,
    MAX_PAYMENT_METHOD_ID_LENGTH,
    MAX_REASON_LENGTH,
)
from gigsta.resolvers.bookings import actions, requests
from gigsta.schema.bookings.types import Booking
from gigsta.schema.core.context import Info
from gigsta.schema.core.errors import UserError, user_errors


@strawberry.input
class RequestBookingInput:
    worker_id: strawberry.ID
    service: str = strawberry.field(description="A key from the `services` query.")
    description: str = strawberry.field(
        description=f"At most {MAX_DESCRIPTION_LENGTH} characters."
    )
    scheduled_start: datetime = strawberry.field(description="With a UTC offset.")
    scheduled_end: datetime = strawberry.field(description="With a UTC offset.")
    address_token: str | None = strawberry.field(
        default=None, description="Where: a token from `addressSuggestions`."
    )
    payment_method_id: str | None = strawberry.field(
        default=None,
        description=(
            "A Stripe PaymentMethod id made by Stripe.js (e.g. `pm_...`); at "
            f"most {MAX_PAYMENT_METHOD_ID_LENGTH} characters."
        ),
    )


@strawberry.input
class PerformBookingActionInput:
    booking_id: strawberry.ID
    action: str = strawberry.field(description="An `actionName` from availableActions.")
    expected_version: int = strawberry.field(
        description="The booking `version` the client saw; stale ones are refused."
    )
    reason: str | None = strawberry.field(
        default=None,
        description=(
            f"Kept in the booking's history; at most {MAX_REASON_LENGTH} characters."
        ),
    )


@strawberry.type
class BookingPayload:
    booking: Booking | None
    errors: list[UserError]


def _booking_payload(result: requests.BookingResult) -> BookingPayload:
    return BookingPayload(
        booking=Booking(doc=result.booking) if result.booking else None,
        errors=user_errors(result.errors),
    )


@strawberry.type
class BookingsMutation:
    @strawberry.mutation(description="A signed-in customer requests a worker.")
    async def request_booking(
        self,
        info: Info,
        input: RequestBookingInput,
    ) -> BookingPayload:
        result = await requests.request_booking(
            info.context.viewer,
            requests.BookingRequest(**asdict(input)),
            now=info.context.now,
            address_secret=info.context.runtime.settings.address_token_key(),
            payments=info.context.runtime.payments,
        )
        return _booking_payload(result)

    @strawberry.mutation(description="Run one of the booking's availableActions.")
    async def perform_booking_action(
        self,
        info: Info,
        input: PerformBookingActionInput,
    ) -> BookingPayload:
        result = await actions.perform_booking_action(
            info.context.viewer,
            **asdict(input),
            now=info.context.now,
            payments=info.context.runtime.payments,
        )
        return _booking_payload(result)
