"""The domain's enums, exposed to GraphQL as they are.

`strawberry.enum` registers a GraphQL definition on the class and returns the
same class, so resolvers and types use the domain's enums directly. `expose`
adds the descriptions: the domain stays free of GraphQL, the schema says what
each value means to a client.
"""

from __future__ import annotations

from dataclasses import replace
from enum import Enum
from typing import TYPE_CHECKING, TypeVar

import strawberry
from strawberry.types.enum import has_enum_definition

from gigsta.domain.accounts import Country, Currency, Role
from gigsta.domain.bookings.actions import ActorRole, BookingStatus
from gigsta.domain.files import UploadPurpose
from gigsta.domain.payments.effects import PaymentStatus
from gigsta.domain.places import AddressDetail

if TYPE_CHECKING:
    from collections.abc import Mapping

E = TypeVar("E", bound=Enum)


def expose(
    enum: type[E],
    *,
    description: str,
    values: Mapping[E, str],
    name: str | None = None,
) -> None:
    """Register `enum` as a GraphQL enum, described, with each value's
    description from `values` (a value left out stays undescribed, and the
    schema's documentation test names it)."""
    registered: object = strawberry.enum(enum, name=name, description=description)
    assert has_enum_definition(registered)
    definition = registered.__strawberry_definition__
    definition.values = [
        replace(value, description=values.get(enum(value.value)))
        for value in definition.values
    ]


expose(
    Role,
    description="What an account is for; fixed when the account is made.",
    values={
        Role.CUSTOMER: "Books workers and pays for the jobs.",
        Role.WORKER: "Offers services from the catalogue and takes bookings.",
        Role.ADMIN: "GigSta staff: sees every booking and resolves disputes. "
        "Cannot be chosen at sign-up.",
    },
)
expose(
    Country,
    description="Where we operate. A worker is booked only by customers of "
    "the same country.",
    values={
        Country.NZ: "New Zealand: prices in NZD with 15 % GST.",
        Country.AU: "Australia: prices in AUD with 10 % GST.",
    },
)
expose(
    Currency,
    description="The currency of an amount, from the worker's country. Every "
    "amount in the API is an Int of cents (minor units) of it.",
    values={
        Currency.NZD: "New Zealand dollars.",
        Currency.AUD: "Australian dollars.",
    },
)
expose(
    BookingStatus,
    description="Where a booking is in its lifecycle. New values may be added: "
    "show one you do not know generically.",
    values={
        BookingStatus.REQUESTED: "Asked for; waiting for the worker to accept or "
        "decline. Expires 48 hours after the request or at the start, if sooner.",
        BookingStatus.ACCEPTED: "The worker accepted; the job is scheduled.",
        BookingStatus.DECLINED: "The worker declined; the card hold is released. "
        "Final.",
        BookingStatus.EXPIRED: "Nobody answered in time, or card authentication "
        "was not completed within 30 minutes; the hold is released. Final.",
        BookingStatus.CANCELLED: "Cancelled by the customer, the worker or an "
        "admin; a late customer cancellation may cost a fee. Final.",
        BookingStatus.IN_PROGRESS: "The worker started the job.",
        BookingStatus.COMPLETED: "The worker marked the job done; the customer "
        "confirms or disputes it (confirmed automatically after 72 hours).",
        BookingStatus.DISPUTED: "The customer reported a problem; an admin "
        "resolves it for one party.",
        BookingStatus.CLOSED: "Done and paid: confirmed by the customer, "
        "automatically, or a dispute resolved for the worker. Final.",
        BookingStatus.REFUNDED: "A dispute resolved for the customer, whose "
        "money was given back. Final.",
        BookingStatus.PENDING_PAYMENT: "Waiting up to 30 minutes for the customer "
        "to authenticate the card (3-D Secure, see `Payment.clientSecret`); "
        "the worker does not see the booking yet.",
        BookingStatus.PAYMENT_FAILED: "The card could not be authorized for the "
        "hold. Final.",
    },
)
expose(
    ActorRole,
    description="Who took an action on a booking, and the viewer's part in one.",
    values={
        ActorRole.CUSTOMER: "The booking's customer.",
        ActorRole.WORKER: "The booking's worker.",
        ActorRole.ADMIN: "A GigSta admin.",
        ActorRole.SYSTEM: "GigSta itself: timers (expiry, automatic confirmation, "
        "the deferred card hold) and payment events from Stripe.",
    },
)
expose(
    PaymentStatus,
    description="Where the customer's money for a booking is.",
    values={
        PaymentStatus.DEFERRED: "The card is saved; the hold is placed 48 hours "
        "before the start (`Payment.authorizeAt`).",
        PaymentStatus.REQUIRES_ACTION: "The customer must authenticate the card "
        "(3-D Secure) with `Payment.clientSecret`.",
        PaymentStatus.AUTHORIZED: "The hold of `authorizedAmount` is on the card; "
        "nothing is charged yet.",
        PaymentStatus.CAPTURED: "Charged: `capturedAmount`, the total or a late "
        "cancellation fee.",
        PaymentStatus.RELEASED: "The hold was released; nothing was charged.",
        PaymentStatus.REFUNDED: "Charged, then given back (`refundedAmount`).",
        PaymentStatus.FAILED: "The card could not be authorized "
        "(`failureMessage` says why).",
    },
)
expose(
    UploadPurpose,
    description="What an uploaded file is for: it decides the accepted types, "
    "the size limit and who may see the file.",
    values={
        UploadPurpose.BOOKING_PHOTO: "A photo for one booking (`bookingId`): "
        "JPEG, PNG or WebP; seen by its customer, its worker and admins.",
        UploadPurpose.WORKER_AVATAR: "The signed-in worker's profile photo: JPEG, "
        "PNG or WebP; public as `Worker.avatarUrl`; replaces the previous one.",
        UploadPurpose.WORKER_DOCUMENT: "An identity or licence document of the "
        "signed-in worker: PDF; seen by that worker and admins.",
    },
)
expose(
    AddressDetail,
    description="How much of an address the viewer may see.",
    values={
        AddressDetail.FULL: "Everything, street and coordinates included.",
        AddressDetail.LOCALITY: "Locality, city, region, postcode and distance "
        "only: the street and coordinates are null.",
    },
)

__all__ = [
    "ActorRole",
    "AddressDetail",
    "BookingStatus",
    "Country",
    "Currency",
    "PaymentStatus",
    "Role",
    "UploadPurpose",
    "expose",
]
