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
from gigsta.domain.booking_actions import ActorRole, BookingFacts, BookingStatus


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
    (see `gigsta.resolvers.bookings.apply_transition`).
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

    class Settings:
        name = "bookings"

    def facts(self) -> BookingFacts:
        return BookingFacts(
            status=self.status,
            requested_at=self.created_at,
            scheduled_start=self.scheduled_start,
            completed_at=self.completed_at,
        )
