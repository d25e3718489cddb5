"""Beanie documents. References are `PydanticObjectId` fields, never `Link`."""

from __future__ import annotations

from gigsta.documents.attachments import Attachment
from gigsta.documents.bookings import Booking
from gigsta.documents.payments import StripeEvent
from gigsta.documents.profiles import Customer, Worker
from gigsta.documents.users import User

DOCUMENT_MODELS = (User, Customer, Worker, Booking, Attachment, StripeEvent)

__all__ = [
    "DOCUMENT_MODELS",
    "Attachment",
    "Booking",
    "Customer",
    "StripeEvent",
    "User",
    "Worker",
]
