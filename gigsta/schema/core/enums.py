"""The domain's enums, exposed to GraphQL as they are.

`strawberry.enum` registers a GraphQL definition on the class and returns the
same class, so resolvers and types use the domain's enums directly.
"""

from __future__ import annotations

import strawberry

from gigsta.domain.accounts import Country, Currency, Role
from gigsta.domain.bookings.actions import ActorRole, BookingStatus
from gigsta.domain.files import UploadPurpose
from gigsta.domain.payments.effects import PaymentStatus
from gigsta.domain.places import AddressDetail

strawberry.enum(Role, description="What an account is for.")
strawberry.enum(Country, description="Where we operate.")
strawberry.enum(Currency)
strawberry.enum(BookingStatus, description="Where a booking is in its lifecycle.")
strawberry.enum(ActorRole, description="Who took an action on a booking.")
strawberry.enum(PaymentStatus, description="Where the customer's money is.")
strawberry.enum(UploadPurpose, description="What an uploaded file is for.")
strawberry.enum(AddressDetail, description="How much of an address the viewer may see.")

__all__ = [
    "ActorRole",
    "AddressDetail",
    "BookingStatus",
    "Country",
    "Currency",
    "PaymentStatus",
    "Role",
    "UploadPurpose",
]
