"""The booking document: who, when, where, its status and version, and the
price, payment and history embedded in it (written by `booking_store`)."""

from __future__ import annotations

from datetime import datetime

from beanie import Document, PydanticObjectId
from pydantic import BaseModel, Field

from gigsta.documents.payments import (
    BookingPayment,
    BookingPrice,
    PaymentLock,
    WorkerPayout,
)
from gigsta.documents.places import PlaceAddress
from gigsta.documents.whole import WholeDocuments
from gigsta.domain.accounts import Viewer
from gigsta.domain.bookings.access import actor_role, may_see
from gigsta.domain.bookings.actions import ActorRole, BookingFacts, BookingStatus
from gigsta.domain.payments.effects import PaymentStatus


class BookingEvent(BaseModel):
    """One entry of a booking's history (embedded: read with the booking)."""

    action: str
    from_status: BookingStatus
    to_status: BookingStatus
    actor_role: ActorRole
    actor_id: str | None = None
    note: str
    reason: str | None = None
    at: datetime


class Booking(Document):
    """A booking. Every state change is one conditional update on `_id` and
    `version` that sets the status, bumps the version and appends the event
    (see `gigsta.documents.booking_store`, which owns every write).
    """

    customer_id: PydanticObjectId
    worker_id: PydanticObjectId
    service: str
    description: str
    scheduled_start: datetime
    scheduled_end: datetime
    status: BookingStatus = BookingStatus.REQUESTED
    version: int = 1
    history: list[BookingEvent] = Field(default_factory=list)
    completed_at: datetime | None = None
    # Payments (absent on bookings made before payments existed).
    price: BookingPrice | None = None
    payment: BookingPayment | None = None
    payout: WorkerPayout | None = None
    payment_lock: PaymentLock | None = None
    created_at: datetime
    updated_at: datetime
    # Places and files: where the job is (chosen from an address suggestion).
    address: PlaceAddress | None = None
    # The IANA zone of where the job is (`gigsta.domain.time_zones`): every time
    # is stored in UTC and shown at this zone's offset.
    time_zone: str
    # Whether the booking's time was claimed on the worker's calendar when it
    # was requested (`gigsta.resolvers.availability`). Accepting one that was
    # claims it then (bookings stored before availability existed were not).
    time_claimed: bool = False
    # Partners: the partner whose API key requested the booking, if any.
    partner_id: PydanticObjectId | None = None

    class Settings(WholeDocuments):
        name = "bookings"

    def facts(self) -> BookingFacts:
        return BookingFacts(
            status=self.status,
            requested_at=self.created_at,
            scheduled_start=self.scheduled_start,
            completed_at=self.completed_at,
            hold_deferred=(
                self.payment is not None
                and self.payment.status is PaymentStatus.DEFERRED
            ),
        )

    def role_of(self, viewer: Viewer | None) -> ActorRole | None:
        """The viewer's part in this booking (None: not theirs to see)."""
        return actor_role(
            viewer, customer_id=self.customer_id, worker_id=self.worker_id
        )

    def visible_role(self, viewer: Viewer | None) -> ActorRole | None:
        """The viewer's part, if they may see the booking in its status now."""
        role = self.role_of(viewer)
        return role if may_see(role, self.status) else None
