"""Beanie documents. References are `PydanticObjectId` fields, never `Link`."""

from __future__ import annotations

from gigsta.documents.bookings import Booking
from gigsta.documents.profiles import Customer, Worker
from gigsta.documents.users import User

DOCUMENT_MODELS = (User, Customer, Worker, Booking)

__all__ = ["DOCUMENT_MODELS", "Booking", "Customer", "User", "Worker"]
