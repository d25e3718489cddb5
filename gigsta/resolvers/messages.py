"""Booking messages: send one, read a page, mark them read, count unread."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from beanie import PydanticObjectId

from gigsta.documents import Booking, BookingMessage
from gigsta.documents import messages as store
from gigsta.documents.events import DomainEvent, EventType, write_with_event
from gigsta.domain.core import ErrorCode, UserError
from gigsta.domain.messages import (
    MESSAGE_WINDOW,
    MESSAGES_PER_WINDOW,
    PARTIES,
    message_text,
    sending_refusal,
)
from gigsta.resolvers.bookings.queries import party_booking
from gigsta.resolvers.core import rate_limits
from gigsta.resolvers.core.timed_pages import first_pages, read_page, request_for

if TYPE_CHECKING:
    from collections.abc import Sequence
    from datetime import datetime

    from gigsta.domain.accounts import Viewer
    from gigsta.domain.bookings.actions import ActorRole
    from gigsta.resolvers.core.pagination import Page

RATE_BUCKET = "booking_messages"
KIND = "message"
OLDEST_FIRST = 1


@dataclass
class MessageResult:
    message: BookingMessage | None = None
    booking: Booking | None = None
    errors: list[UserError] = field(default_factory=list)


async def _rate_limited(viewer: Viewer, now: datetime) -> UserError | None:
    """RATE_LIMITED once the viewer has sent `MESSAGES_PER_WINDOW` messages in
    the current window (counted in the shared store: every instance agrees)."""
    if await rate_limits.allow(
        RATE_BUCKET,
        viewer.user_id,
        limit=MESSAGES_PER_WINDOW,
        window=MESSAGE_WINDOW,
        now=now,
    ):
        return None
    wait = int(rate_limits.retry_after(MESSAGE_WINDOW, now).total_seconds()) + 1
    return UserError(
        None, ErrorCode.RATE_LIMITED, f"Too many messages; try again in {wait} seconds."
    )


async def send_message(
    viewer: Viewer | None, *, booking_id: str, body: str, now: datetime
) -> MessageResult:
    """Write a message on a booking the viewer is a party to (or, as an
    admin, any booking), masked before acceptance and rate-limited per user."""
    found = await party_booking(viewer, booking_id)
    if isinstance(found, UserError):
        return MessageResult(errors=[found])
    viewer, booking, role = found
    refusal = sending_refusal(role, booking.status)
    if refusal is not None:
        return MessageResult(booking=booking, errors=[refusal])
    text = message_text(body, booking.status)
    if isinstance(text, UserError):
        return MessageResult(booking=booking, errors=[text])
    limited = await _rate_limited(viewer, now)
    if limited is not None:
        return MessageResult(booking=booking, errors=[limited])
    message = BookingMessage(
        booking_id=booking.id,
        sender_id=PydanticObjectId(viewer.user_id),
        sender_role=role,
        body=text.body,
        masked=text.masked,
        created_at=now,
    )
    # The message and its event commit together (live updates, and an email
    # to an offline recipient, follow the event).
    await write_with_event(
        lambda session: store.insert_message(message, session),
        lambda sent: DomainEvent.about(
            EventType.MESSAGE_CREATED,
            booking,
            actor_role=role,
            actor_id=viewer.user_id,
            at=now,
            message_id=str(sent.id),
            body=sent.body,
            masked=sent.masked,
        ),
    )
    if role in PARTIES:  # writing is reading what came before
        await store.mark_read(message.booking_id, role, now)
    return MessageResult(message=message, booking=booking)


async def mark_read(
    viewer: Viewer | None, *, booking_id: str, now: datetime
) -> MessageResult:
    """The viewer's party has read the booking's messages up to now."""
    found = await party_booking(viewer, booking_id)
    if isinstance(found, UserError):
        return MessageResult(errors=[found])
    viewer, booking, role = found
    if role not in PARTIES:
        return MessageResult(
            booking=booking,
            errors=[
                UserError(
                    None,
                    ErrorCode.NOT_ALLOWED,
                    "Only the customer and the worker keep read markers.",
                )
            ],
        )
    await store.mark_read(booking.id, role, now)  # type: ignore[arg-type]
    return MessageResult(booking=booking)


async def message_page(
    booking_id: PydanticObjectId,
    *,
    first: int | None,
    after: str | None,
    last: int | None,
    before: str | None,
) -> Page[BookingMessage]:
    """A page of one booking's messages, oldest first (the caller has
    checked that the viewer sees the booking)."""
    request = request_for(KIND, first=first, after=after, last=last, before=before)
    return await read_page(
        BookingMessage,
        {"booking_id": booking_id},
        kind=KIND,
        way=OLDEST_FIRST,
        request=request,
    )


async def first_message_pages(
    booking_ids: Sequence[PydanticObjectId], size: int
) -> list[Page[BookingMessage]]:
    return await first_pages(
        BookingMessage,
        "booking_id",
        booking_ids,
        {},
        kind=KIND,
        way=OLDEST_FIRST,
        size=size,
    )


async def unread_counts(
    booking_ids: Sequence[PydanticObjectId], role: ActorRole
) -> list[int]:
    return await store.unread_counts(booking_ids, role)
