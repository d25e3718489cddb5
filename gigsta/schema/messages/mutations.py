"""Messages' mutations: write on a booking, mark its messages read."""

from __future__ import annotations

from typing import TYPE_CHECKING, Annotated

import strawberry

from gigsta.domain.messages import MAX_MESSAGE_LENGTH
from gigsta.resolvers import messages
from gigsta.schema.core import nodes
from gigsta.schema.core.context import Info
from gigsta.schema.core.errors import UserError, errors_field, user_errors
from gigsta.schema.core.mutations import mutation, perform
from gigsta.schema.messages.types import BookingMessage
from gigsta.schema.payloads import id_input

if TYPE_CHECKING:
    # Only for the annotation: `Booking` sits above messages and is built
    # through the node registry (see `schema.core.nodes`).
    from gigsta.schema.bookings.types import Booking

LazyBooking = Annotated["Booking", strawberry.lazy("gigsta.schema.bookings.types")]


@strawberry.input(description="A message to write on a booking.")
class SendBookingMessageInput:
    booking_id: strawberry.ID = id_input("Booking")
    body: str = strawberry.field(
        description=f"Trimmed; not empty, at most {MAX_MESSAGE_LENGTH} characters."
    )


@strawberry.input(description="The booking whose messages the viewer has read.")
class MarkBookingMessagesReadInput:
    booking_id: strawberry.ID = id_input("Booking")


@strawberry.type(description="The result of `sendBookingMessage`.")
class SendBookingMessagePayload:
    message: BookingMessage | None = strawberry.field(
        default=None,
        description="The message as stored (masked if it had to be); null when "
        "nothing was sent.",
    )
    errors: list[UserError] = errors_field("Why nothing was sent")


@strawberry.type(description="The result of `markBookingMessagesRead`.")
class MarkBookingMessagesReadPayload:
    booking: LazyBooking | None = strawberry.field(
        default=None,
        description="The booking, its `unreadCount` now 0; null when not found.",
    )
    errors: list[UserError] = errors_field("Why nothing changed")


@strawberry.type
class MessagesMutation:
    @mutation(
        "The booking's customer or worker (or an admin) writes a message, while "
        "the booking is requested, accepted, in progress, completed or disputed. "
        "Before the worker accepts, phone numbers, emails and links are masked. "
        "At most 20 messages a minute per user (RATE_LIMITED).",
        "The message.",
    )
    async def send_booking_message(
        self, info: Info, input: SendBookingMessageInput
    ) -> SendBookingMessagePayload:
        result = await perform(info, messages.send_message, input, booking_id="Booking")
        zone = result.booking.time_zone if result.booking else "UTC"
        return SendBookingMessagePayload(
            message=BookingMessage(doc=result.message, zone=zone)
            if result.message
            else None,
            errors=user_errors(result.errors),
        )

    @mutation(
        "The viewer's side (customer or worker) has read the booking's messages "
        "up to now: its `unreadCount` drops to 0.",
        "Which booking.",
    )
    async def mark_booking_messages_read(
        self, info: Info, input: MarkBookingMessagesReadInput
    ) -> MarkBookingMessagesReadPayload:
        result = await perform(info, messages.mark_read, input, booking_id="Booking")
        return MarkBookingMessagesReadPayload(
            booking=nodes.node_of(result.booking) if result.booking else None,
            errors=user_errors(result.errors),
        )
