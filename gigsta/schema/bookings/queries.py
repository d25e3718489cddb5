"""Bookings' root fields: one booking, and the viewer's bookings."""

from __future__ import annotations

from typing import Annotated

import strawberry

from gigsta.resolvers.bookings import queries as bookings
from gigsta.resolvers.live import feeds
from gigsta.schema.bookings.types import Booking
from gigsta.schema.core import nodes
from gigsta.schema.core.context import Info
from gigsta.schema.core.relations import bookings_field


@strawberry.type
class BookingsQuery:
    @strawberry.field(
        description=(
            "A booking the viewer is part of (any, for admins); null when there "
            "is none the viewer may see (UNAUTHENTICATED without a token)."
        )
    )
    async def booking(
        self,
        info: Info,
        id: Annotated[
            strawberry.ID, strawberry.argument(description="The `Booking.id`.")
        ],
    ) -> Booking | None:
        booking_id = nodes.expect_id(id, Booking, "id")
        doc = await bookings.get_booking(info.context.signed_in("bookings"), booking_id)
        return Booking(doc=doc) if doc else None

    @strawberry.field(
        description=(
            "Where the event log is now: load what you show, then subscribe to "
            "`myBookingEvents(after:)` with this, so no change made in between "
            "is missed (one may arrive twice, by `bookingVersion`)."
        )
    )
    async def booking_events_cursor(self, info: Info) -> str:
        info.context.signed_in("bookings")
        hub = info.context.runtime.live
        if hub is None:
            raise RuntimeError("live updates are not running in this process")
        return await feeds.current_cursor(hub)

    bookings = bookings_field(
        Booking, "The viewer's bookings, newest first; `first` ≤ 100."
    )
