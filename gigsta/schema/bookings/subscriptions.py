"""Live updates of bookings over WebSocket (`graphql-transport-ws`, and the
legacy `graphql-ws`): `bookingUpdated` and `myBookingEvents`.

Each event is shown with the booking as it is when delivered, resolved like
any query for this viewer at this moment (fresh loaders and clock), so the
privacy rules (the address, each side of the money) apply per event.
"""

from __future__ import annotations

from collections.abc import AsyncGenerator
from typing import TYPE_CHECKING, Annotated

import strawberry

from gigsta.documents.events import DomainEvent
from gigsta.resolvers.live import feeds
from gigsta.schema.accounts.types import User
from gigsta.schema.bookings.types import Booking
from gigsta.schema.core import nodes
from gigsta.schema.core.context import Info
from gigsta.schema.core.enums import ActorRole
from gigsta.schema.core.fields import local_time_field

if TYPE_CHECKING:
    from gigsta.resolvers.live.hub import EventHub


@strawberry.type(
    description="Something that happened to one of the viewer's bookings, "
    "with the booking as it is now."
)
class BookingChange:
    doc: strawberry.Private[DomainEvent]
    zone: strawberry.Private[str]  # the booking's time zone
    cursor: str = strawberry.field(
        description="Pass it as `myBookingEvents(after:)` to resume right after "
        "this event, on any server."
    )
    booking: Booking = strawberry.field(
        description="The booking now (which may be newer than this change)."
    )

    @strawberry.field(
        description="What happened, e.g. `booking.status_changed`, "
        "`booking.payment_changed`; tolerate names you do not know."
    )
    def type(self) -> str:
        return str(self.doc.type)

    @strawberry.field(
        description="For a status change, the `actionName` taken; else null."
    )
    def action(self) -> str | None:
        action = self.doc.data.get("action")
        return action if isinstance(action, str) else None

    @strawberry.field(description="The booking's `version` right after the change.")
    def booking_version(self) -> int:
        return self.doc.booking_version

    @strawberry.field(description="Who made the change.")
    def actor_role(self) -> ActorRole:
        return self.doc.actor_role

    @strawberry.field(description="The acting `User`'s id; null for system changes.")
    def actor_id(self) -> strawberry.ID | None:
        actor = self.doc.actor_id
        return nodes.global_id(User, actor) if actor else None

    at = local_time_field(
        "at", description="When it happened, in the booking's time zone."
    )


def _live(info: Info) -> tuple[EventHub, feeds.Listener]:
    context = info.context
    hub = context.runtime.live
    if hub is None:
        raise RuntimeError("live updates are not running in this process")
    listener = feeds.Listener(
        viewer=context.signed_in("live updates"),
        expires_at=context.session_expires_at,
        clock=context.runtime.clock,
        token=context.session_token,
        secret=context.runtime.settings.require_jwt_secret(),
    )
    return hub, listener


@strawberry.type
class BookingsSubscription:
    @strawberry.subscription(
        description=(
            "The booking as it is now, then after each change to it "
            "(transition, payment, message, review), while the viewer may see "
            "it. NOT_FOUND when there is no "
            "such booking of the viewer's; ends with UNAUTHENTICATED when the "
            "token expires."
        )
    )
    async def booking_updated(
        self,
        info: Info,
        id: Annotated[
            strawberry.ID, strawberry.argument(description="The `Booking.id`.")
        ],
    ) -> AsyncGenerator[Booking, None]:
        booking_id = nodes.expect_id(id, Booking, "id")
        hub, listener = _live(info)
        async for doc in feeds.booking_updates(hub, listener, booking_id):
            info.context.refresh()
            yield Booking(doc=doc)

    @strawberry.subscription(
        description=(
            "Every change to any booking the viewer is part of (all, for "
            "admins), as it happens; with `after`, first those made since that "
            "cursor. Ends with UNAUTHENTICATED when the token expires, and with "
            "SUBSCRIPTION_DROPPED when the client falls too far behind."
        )
    )
    async def my_booking_events(
        self,
        info: Info,
        after: Annotated[
            str | None,
            strawberry.argument(
                description="A `BookingChange.cursor`: resume right after it "
                "(BAD_USER_INPUT if it is not valid or too old)."
            ),
        ] = None,
    ) -> AsyncGenerator[BookingChange, None]:
        hub, listener = _live(info)
        async for update in feeds.my_booking_events(hub, listener, after):
            info.context.refresh()
            yield BookingChange(
                doc=update.live.event,
                zone=update.booking.time_zone,
                cursor=update.live.cursor,
                booking=Booking(doc=update.booking),
            )
