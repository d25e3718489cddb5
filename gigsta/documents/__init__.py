"""Beanie documents. References are `PydanticObjectId` fields, never `Link`."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from gigsta.documents.accounts import Customer, User, Worker
from gigsta.documents.availability import WorkerCalendar
from gigsta.documents.bookings import Booking
from gigsta.documents.deliveries import Delivery
from gigsta.documents.events import DomainEvent
from gigsta.documents.files import Attachment
from gigsta.documents.messages import BookingMessage, MessageReadMarker
from gigsta.documents.partners import ApiKey, Partner
from gigsta.documents.payments import StripeEvent
from gigsta.documents.persisted_queries import PersistedQuery
from gigsta.documents.reviews import Review
from gigsta.documents.webhooks import WebhookAttempt, WebhookEndpoint

if TYPE_CHECKING:
    from pymongo.asynchronous.collection import AsyncCollection

DOCUMENT_MODELS = (
    User,
    Customer,
    Worker,
    Booking,
    Attachment,
    StripeEvent,
    PersistedQuery,
    DomainEvent,
    BookingMessage,
    MessageReadMarker,
    Review,
    WorkerCalendar,
    Delivery,
    Partner,
    ApiKey,
    WebhookEndpoint,
    WebhookAttempt,
)


def _read_attributes_plainly(models: tuple[type[Any], ...]) -> None:
    """Beanie's `Document` is lazy_model's `LazyModel`, whose `__getattribute__`
    runs in Python on every attribute read (to parse a lazily parsed field on
    first use). Nothing here parses lazily (`lazy_parse` is never passed), so
    the documents read their attributes as any object does: about 0.8 against
    0.2 us for five reads, and a page of 20 bookings makes some 700."""
    for model in models:
        setattr(model, "__getattribute__", object.__getattribute__)  # noqa: B010


_read_attributes_plainly(DOCUMENT_MODELS)


def raw_collection(name: str) -> AsyncCollection[dict[str, Any]]:
    """A collection with no document model: leases, counters, throttles."""
    return User.get_pymongo_collection().database[name]


__all__ = [
    "DOCUMENT_MODELS",
    "ApiKey",
    "Attachment",
    "Booking",
    "BookingMessage",
    "Customer",
    "Delivery",
    "DomainEvent",
    "MessageReadMarker",
    "Partner",
    "PersistedQuery",
    "Review",
    "StripeEvent",
    "User",
    "WebhookAttempt",
    "WebhookEndpoint",
    "Worker",
    "WorkerCalendar",
    "raw_collection",
]
