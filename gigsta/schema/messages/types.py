"""GraphQL types of booking messages, and the message fields of `Booking`
(which sits above this domain and calls these helpers)."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import strawberry

from gigsta.documents import BookingMessage as MessageDoc
from gigsta.domain.messages import PARTIES
from gigsta.resolvers import messages
from gigsta.resolvers.bookings.queries import may_read
from gigsta.resolvers.core.pagination import first_page_size
from gigsta.schema.core import nodes
from gigsta.schema.core.connections import Connection, connection_from_page
from gigsta.schema.core.context import Info
from gigsta.schema.core.enums import ActorRole
from gigsta.schema.core.fields import doc_field, id_field, local_time_field
from gigsta.schema.messages.dataloaders import (
    BookingMessageByIdLoader,
    FirstMessagePageLoader,
    UnreadCountLoader,
)

if TYPE_CHECKING:
    from gigsta.documents import Booking as BookingDoc
    from gigsta.domain.accounts import Viewer


def in_readable_booking(
    viewer: Viewer | None, message: MessageDoc, booking: BookingDoc | None
) -> bool:
    """A message, for those who may read its booking."""
    return booking is not None and may_read(viewer, booking)


@strawberry.type(
    description="A message on a booking, between its customer and worker (admins "
    "read and may write too). Sent before the worker accepted, its phone "
    "numbers, emails and links are masked, for both sides."
)
class BookingMessage(
    nodes.DocumentNode[MessageDoc],
    loader=BookingMessageByIdLoader,
    may_see_in_booking=in_readable_booking,
):
    zone: strawberry.Private[str] = "UTC"  # the booking's time zone

    body = doc_field(str, description="The text, trimmed, as both sides see it.")
    masked = doc_field(
        bool,
        description="Contact details in it were replaced by `[phone hidden]`, "
        "`[email hidden]` or `[link hidden]` (sent before acceptance).",
    )
    sender_role = doc_field(ActorRole, description="Who wrote it.")

    sender_id = id_field("User", description="The writing `User`'s id.")

    created_at = local_time_field(
        description="When it was sent, in the booking's time zone."
    )


async def booking_messages(
    info: Info, booking: BookingDoc, **paging: Any
) -> Connection[BookingMessage]:
    """A page of the booking's messages, oldest first: first pages through
    the loader (one command for a page of bookings), other pages directly."""
    size = first_page_size(**paging)
    if size is None:
        page = await messages.message_page(booking.id, **paging)  # type: ignore[arg-type]
    else:
        loader = info.context.loader(FirstMessagePageLoader)
        page = await loader.load((booking.id, size))  # type: ignore[arg-type]
    zone = booking.time_zone
    return connection_from_page(page, lambda doc: BookingMessage(doc=doc, zone=zone))


async def booking_unread_count(info: Info, booking: BookingDoc) -> int | None:
    """Messages by others since the viewer's side last read (parties only)."""
    role = booking.role_of(info.context.viewer)
    if role not in PARTIES:  # admins read without a marker of their own
        return None
    loader = info.context.loader(UnreadCountLoader)
    return await loader.load((booking.id, role))  # type: ignore[arg-type]
