"""GraphQL object types of bookings: `Booking`, its history and its actions."""

from __future__ import annotations

from typing import TYPE_CHECKING, TypeVar

import strawberry

from gigsta.documents import Booking as BookingDoc
from gigsta.documents.bookings import BookingEvent as BookingEventDoc
from gigsta.domain.bookings.actions import ActionRule, available_actions
from gigsta.domain.bookings.limits import MAX_HISTORY_ENTRIES
from gigsta.domain.services import SERVICE_CATALOGUE
from gigsta.resolvers.bookings import queries as bookings
from gigsta.schema.accounts.types import Customer, Service, User, Worker
from gigsta.schema.core import nodes
from gigsta.schema.core.connections import paged_field
from gigsta.schema.core.context import Info
from gigsta.schema.core.dataloaders import (
    BookingByIdLoader,
    CustomerByIdLoader,
    WorkerByIdLoader,
    at_once,
    then,
)
from gigsta.schema.core.enums import ActorRole, BookingStatus
from gigsta.schema.core.fields import doc_field, id_field, local_time_field
from gigsta.schema.files.types import Attachment, booking_attachments
from gigsta.schema.messages.types import (
    BookingMessage,
    booking_messages,
    booking_unread_count,
)
from gigsta.schema.payments.types import (
    Payment,
    Price,
    booking_payment,
    booking_price,
    payment_note_of,
)
from gigsta.schema.places.types import BookingAddress, booking_address
from gigsta.schema.reviews.types import Review, booking_reviews

if TYPE_CHECKING:
    pass


@strawberry.type(description="One entry of a booking's history.")
class BookingEvent:
    doc: strawberry.Private[BookingEventDoc]
    zone: strawberry.Private[str]  # the booking's time zone

    action = doc_field(
        str,
        description="The `actionName` taken (`request` for the booking's creation); "
        "tolerate names you do not know.",
    )
    from_status = doc_field(BookingStatus, description="The status before the action.")
    to_status = doc_field(
        BookingStatus, description="The status after it (the same for a payment step)."
    )
    actor_role = doc_field(ActorRole, description="Who took the action.")

    actor_id = id_field(
        User,
        strawberry.ID | None,
        description="The acting `User`'s id; null for system actions.",
    )

    note = doc_field(str, description="What happened, in a sentence for the history.")
    reason = doc_field(
        str | None,
        description="The reason the actor gave, if any (required by some actions).",
    )
    at = local_time_field(
        description="When the action was taken, in the booking's time zone."
    )


@strawberry.type(
    description=(
        "An action the viewer may take on a booking now. `actionName` is a stable "
        "snake_case string, not an enum: clients must tolerate names they do not know."
    )
)
class BookingAction:
    doc: strawberry.Private[ActionRule]  # the action's rule
    booking: strawberry.Private[BookingDoc]

    action_name = doc_field(
        str,
        attr="name",
        description="Stable identifier to pass as `performBookingAction(input: "
        "{action})`, e.g. `accept`; key the UI's icon and colour on it.",
    )
    button_label = doc_field(
        str, description="English label for the button, e.g. `Accept booking`."
    )
    note = doc_field(str, description="The sentence the booking's history will record.")
    is_critical = doc_field(
        bool, description="Destructive or hard to undo: ask the person to confirm."
    )
    requires_reason = doc_field(
        bool, description="A `reason` must be given (REASON_REQUIRED otherwise)."
    )

    @strawberry.field(
        description="What this action would do to the customer's money now "
        "(customer and admins), e.g. the cancellation fee."
    )
    def payment_note(self, info: Info) -> str | None:
        return payment_note_of(info, self.booking, self.doc.name)


P = TypeVar("P")


def _party(booking: BookingDoc, profile: P | None) -> P:
    """A booking's customer or worker profile, which is never deleted."""
    if profile is None:
        raise RuntimeError(f"booking {booking.id} names a missing profile")
    return profile


@strawberry.type(
    description="A job a customer booked with a worker. Visible to its customer, "
    "its worker (once the card is held) and admins; each sees their own side of "
    "the money."
)
class Booking(
    nodes.DocumentNode[BookingDoc], loader=BookingByIdLoader, may_see=bookings.may_read
):
    status = doc_field(
        BookingStatus, description="Where the booking is in its lifecycle."
    )
    version = doc_field(int, description="Pass it as `expectedVersion` when acting.")

    @strawberry.field(description="The service booked.")
    def service(self) -> Service:
        key = self.doc.service
        return Service(key=key, name=SERVICE_CATALOGUE.get(key, key))

    description = doc_field(str, description="The customer's description of the job.")
    time_zone = doc_field(
        str,
        description=(
            "The IANA time zone of where the job is (e.g. `Pacific/Auckland`, "
            "`Australia/Perth`); without an address, the customer's country's. "
            "Every time of the booking is given at this zone's offset at that "
            "instant."
        ),
    )
    scheduled_start = local_time_field(description="When the job starts.")
    scheduled_end = local_time_field(
        description="When the job ends (at most 12 hours after the start)."
    )
    created_at = local_time_field(description="When the booking was requested.")
    updated_at = local_time_field(description="When the booking last changed.")

    @property
    def zone(self) -> str:
        """What `local_time_field` reads the booking's times in."""
        return self.doc.time_zone

    # At once when the page loaded the parties ahead (see `relations.py`).
    @strawberry.field(description="Who booked the job.")
    def customer(self, info: Info) -> Customer:
        found = at_once(info.context.loader(CustomerByIdLoader), self.doc.customer_id)
        return then(found, lambda doc: Customer(doc=_party(self.doc, doc)))

    @strawberry.field(description="Who does the job.")
    def worker(self, info: Info) -> Worker:
        found = at_once(info.context.loader(WorkerByIdLoader), self.doc.worker_id)
        return then(found, lambda doc: Worker(doc=_party(self.doc, doc)))

    @strawberry.field(
        description=(
            "Every action taken on the booking, oldest first (the newest "
            f"{MAX_HISTORY_ENTRIES} are kept)."
        )
    )
    def history(self) -> list[BookingEvent]:
        return [BookingEvent(doc=e, zone=self.zone) for e in self.doc.history]

    @strawberry.field(
        description="What the viewer may do now (none on a terminal booking)."
    )
    def available_actions(self, info: Info) -> list[BookingAction]:
        role = self.doc.role_of(info.context.viewer)
        if role is None:
            return []
        return [
            BookingAction(doc=rule, booking=self.doc)
            for rule in available_actions(self.doc.facts(), role, info.context.now)
        ]

    # --- Places and files ---------------------------------------------------
    @strawberry.field(description="Where the job is, as much as the viewer may see.")
    async def address(self, info: Info) -> BookingAddress | None:
        return await booking_address(info, self.doc)

    @strawberry.field(description="Photos: for the customer, the worker and admins.")
    async def attachments(self, info: Info) -> list[Attachment]:
        return await booking_attachments(info, self.doc)

    # --- Payments -----------------------------------------------------------
    @strawberry.field(description="The price; each party sees their own side.")
    def price(self, info: Info) -> Price | None:
        return booking_price(info, self.doc)

    @strawberry.field(description="The card hold and charges (customer, admins).")
    def payment(self, info: Info) -> Payment | None:
        return booking_payment(info, self.doc)

    # --- Messages and reviews -----------------------------------------------
    messages = paged_field(
        BookingMessage,
        "Messages between the customer and the worker, oldest first.",
        booking_messages,
    )

    @strawberry.field(
        description="Messages from the other side the viewer has not read yet "
        "(see `markBookingMessagesRead`); null for admins."
    )
    async def unread_count(self, info: Info) -> int | None:
        return await booking_unread_count(info, self.doc)

    @strawberry.field(
        description="The reviews of this booking the viewer may see (at most one "
        "per side; see `Review`)."
    )
    async def reviews(self, info: Info) -> list[Review]:
        return await booking_reviews(info, self.doc)
