"""Beanie documents. References are `PydanticObjectId` fields, never `Link`."""

from __future__ import annotations

from gigsta.documents.bookings import Booking
from gigsta.documents.payments import StripeEvent
from gigsta.documents.profiles import Customer, Worker
from gigsta.documents.users import User

DOCUMENT_MODELS = (User, Customer, Worker, Booking, StripeEvent)

__all__ = ["DOCUMENT_MODELS", "Booking", "Customer", "StripeEvent", "User", "Worker"]
