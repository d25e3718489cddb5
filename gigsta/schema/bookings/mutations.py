"""Bookings' mutations: request a booking, take one of its actions."""

from __future__ import annotations

from datetime import datetime

import strawberry

from gigsta.domain.bookings.limits import (
    MAX_DESCRIPTION_LENGTH,
    MAX_PAYMENT_METHOD_ID_LENGTH,
    MAX_REASON_LENGTH,
)
from gigsta.resolvers.bookings import actions, requests
from gigsta.schema.accounts.types import Worker
from gigsta.schema.bookings.types import Booking
from gigsta.schema.core.context import Info
from gigsta.schema.core.errors import UserError, errors_field, user_errors
from gigsta.schema.core.mutations import input_fields, mutation
from gigsta.schema.payloads import id_input, shown


@strawberry.input(description="What a customer asks a worker to do, and when.")
class RequestBookingInput:
    worker_id: strawberry.ID = strawberry.field(
        description="The `Worker.id` to book; same country as the customer "
        "(INVALID when it is not a worker's id)."
    )
    service: str = strawberry.field(description="A key from the `services` query.")
    description: str = strawberry.field(
        description=f"At most {MAX_DESCRIPTION_LENGTH} characters."
    )
    scheduled_start: datetime = strawberry.field(
        description="ISO 8601 with a UTC offset; in the future, at most a year ahead."
    )
    scheduled_end: datetime = strawberry.field(
        description="ISO 8601 with a UTC offset; after the start, at most 12 hours "
        "after it."
    )
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


@strawberry.input(description="One action on one booking, at the version seen.")
class PerformBookingActionInput:
    booking_id: strawberry.ID = id_input("Booking")
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


@strawberry.type(
    description="The result of `requestBooking` or `performBookingAction`."
)
class BookingPayload:
    booking: Booking | None = strawberry.field(
        default=None,
        description="The booking as it is now: after the change on success; as it "
        "stands when an action was refused (to show its current status and "
        "version); null when no booking could be found or made.",
    )
    errors: list[UserError] = errors_field("Why nothing changed")


def _booking_payload(result: requests.BookingResult) -> BookingPayload:
    return BookingPayload(
        booking=shown(Booking, result.booking), errors=user_errors(result.errors)
    )


@strawberry.type
class BookingsMutation:
    @mutation(
        "A signed-in customer requests a worker. The card is held for the price "
        "at once (or saved, for a job more than 6 days away); the booking is "
        "REQUESTED, or PENDING_PAYMENT while 3-D Secure waits. Repeating an "
        "identical request (same worker, times and card) returns the booking the "
        "first one made.",
        "The request.",
    )
    async def request_booking(
        self, info: Info, input: RequestBookingInput
    ) -> BookingPayload:
        result = await requests.request_booking(
            info.context.viewer,
            requests.BookingRequest(**input_fields(input, worker_id=Worker)),
            now=info.context.now,
            address_secret=info.context.runtime.settings.address_token_key(),
            payments=info.context.runtime.payments,
        )
        return _booking_payload(result)

    @mutation(
        "Take one of the booking's `availableActions`: moves its status, writes "
        "its history and moves the money as the action says.",
        "The action and the version it is for.",
    )
    async def perform_booking_action(
        self, info: Info, input: PerformBookingActionInput
    ) -> BookingPayload:
        result = await actions.perform_booking_action(
            info.context.viewer,
            **input_fields(input, booking_id=Booking),
            now=info.context.now,
            payments=info.context.runtime.payments,
        )
        return _booking_payload(result)
