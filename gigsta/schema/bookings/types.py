"""GraphQL object types of bookings: `Booking`, its history and its actions."""

from __future__ import annotations

from datetime import datetime
from typing import TypeVar

import strawberry

from gigsta.documents import Booking as BookingDoc
from gigsta.documents.bookings import BookingEvent as BookingEventDoc
from gigsta.domain.bookings.actions import available_actions
from gigsta.domain.services import SERVICE_CATALOGUE
from gigsta.schema.accounts.types import Customer, Service, Worker
from gigsta.schema.core import nodes
from gigsta.schema.core.context import Info
from gigsta.schema.core.dataloaders import CustomerByIdLoader, WorkerByIdLoader
from gigsta.schema.core.enums import ActorRole, BookingStatus
from gigsta.schema.core.fields import doc_field, doc_id
from gigsta.schema.files.types import Attachment, booking_attachments
from gigsta.schema.payments.types import (
    Payment,
    Price,
    booking_payment,
    booking_price,
    payment_note,
)
from gigsta.schema.places.types import BookingAddress, booking_address


@strawberry.type(description="One entry of a booking's history.")
class BookingEvent:
    doc: strawberry.Private[BookingEventDoc]

    action = doc_field("action", str)
    from_status = doc_field("from_status", BookingStatus)
    to_status = doc_field("to_status", BookingStatus)
    actor_role = doc_field("actor_role", ActorRole)

    @strawberry.field(description="The acting user's id; null for system actions.")
    def actor_id(self) -> strawberry.ID | None:
        return strawberry.ID(self.doc.actor_id) if self.doc.actor_id else None

    note = doc_field("note", str)
    reason = doc_field("reason", str | None)
    at = doc_field("at", datetime)


@strawberry.type(
    description=(
        "An action the viewer may take on a booking now. `actionName` is a stable "
        "snake_case string, not an enum: clients must tolerate names they do not know."
    )
)
class BookingAction:
    action_name: str
    button_label: str
    note: str
    is_critical: bool
    requires_reason: bool
    payment_note: str | None = strawberry.field(
        default=None,
        description="What this action would do to the customer's money now "
        "(customer and admins), e.g. the cancellation fee.",
    )


P = TypeVar("P")


def _party(booking: BookingDoc, profile: P | None) -> P:
    """A booking's customer or worker profile, which is never deleted."""
    if profile is None:
        raise RuntimeError(f"booking {booking.id} names a missing profile")
    return profile


@nodes.shows(BookingDoc)
@strawberry.type
class Booking:
    doc: strawberry.Private[BookingDoc]

    id = doc_id()
    status = doc_field("status", BookingStatus)
    version = doc_field(
        "version", int, description="Pass it as `expectedVersion` when acting."
    )

    @strawberry.field
    def service(self) -> Service:
        key = self.doc.service
        return Service(key=key, name=SERVICE_CATALOGUE.get(key, key))

    description = doc_field("description", str)
    scheduled_start = doc_field("scheduled_start", datetime)
    scheduled_end = doc_field("scheduled_end", datetime)
    created_at = doc_field("created_at", datetime)

    @strawberry.field
    async def customer(self, info: Info) -> Customer:
        loader = info.context.loader(CustomerByIdLoader)
        return Customer(doc=_party(self.doc, await loader.load(self.doc.customer_id)))

    @strawberry.field
    async def worker(self, info: Info) -> Worker:
        loader = info.context.loader(WorkerByIdLoader)
        return Worker(doc=_party(self.doc, await loader.load(self.doc.worker_id)))

    @strawberry.field
    def history(self) -> list[BookingEvent]:
        return [BookingEvent(doc=e) for e in self.doc.history]

    @strawberry.field(
        description="What the viewer may do now (none on a terminal booking)."
    )
    def available_actions(self, info: Info) -> list[BookingAction]:
        role = self.doc.role_of(info.context.viewer)
        if role is None:
            return []
        return [
            BookingAction(
                action_name=rule.name,
                button_label=rule.button_label,
                note=rule.note,
                is_critical=rule.is_critical,
                requires_reason=rule.requires_reason,
                payment_note=payment_note(info, self.doc, rule.name),
            )
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
