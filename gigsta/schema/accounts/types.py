"""GraphQL object types of accounts: `User`, `Customer`, `Worker`, `Service`."""

from __future__ import annotations

from datetime import datetime
from typing import TYPE_CHECKING, Annotated, Any, TypeVar

import strawberry

from gigsta.documents import Customer as CustomerDoc
from gigsta.documents import User as UserDoc
from gigsta.documents import Worker as WorkerDoc
from gigsta.domain.accounts import is_own_account_or_admin, is_self_or_admin
from gigsta.domain.services import SERVICE_CATALOGUE
from gigsta.resolvers.accounts import customers
from gigsta.schema.accounts.notifications import NotificationPreferences
from gigsta.schema.availability.types import (
    Availability,
    SlotDuration,
    SlotFrom,
    SlotTo,
    worker_availability,
    worker_available_slots,
)
from gigsta.schema.core import nodes
from gigsta.schema.core.connections import paged_field
from gigsta.schema.core.context import Info
from gigsta.schema.core.dataloaders import (
    CustomerByIdLoader,
    UserByIdLoader,
    WorkerByIdLoader,
)
from gigsta.schema.core.enums import Country, Currency, Role
from gigsta.schema.core.fields import doc_field
from gigsta.schema.core.relations import bookings_field
from gigsta.schema.files.types import Attachment, worker_avatar_url, worker_documents
from gigsta.schema.payments.types import (
    PendingPayout,
    worker_payouts_enabled,
    worker_pending_payouts,
)
from gigsta.schema.places.types import (
    Place,
    search_distance_km,
    worker_base_address,
    worker_base_locality,
)
from gigsta.schema.reviews.types import (
    Rating,
    Review,
    customer_reviews,
    worker_rating,
    worker_reviews,
)

if TYPE_CHECKING:
    # Only for the annotation: `Booking` sits above accounts and is built
    # through the node registry (see `schema.core.nodes`).
    from gigsta.schema.bookings.types import Booking

P = TypeVar("P", CustomerDoc, WorkerDoc)

LazyBooking = Annotated["Booking", strawberry.lazy("gigsta.schema.bookings.types")]


@strawberry.type(description="A service from the fixed catalogue.")
class Service:
    key: str = strawberry.field(description="Stable snake_case key, e.g. `pet_care`.")
    name: str = strawberry.field(description="English name to show, e.g. `Pet care`.")


def own_phone(who: str) -> Any:
    """The profile's phone number, for its own account and admins only."""

    def resolve(root: Any, info: Info) -> str | None:
        viewer = info.context.viewer
        return root.doc.phone if is_self_or_admin(viewer, root.doc.id) else None

    resolve.__annotations__ = {"root": Any, "info": Info, "return": str | None}
    return strawberry.field(
        resolver=resolve,
        description=f"Only the {who} and admins see the phone number.",
    )


def service_list(keys: list[str]) -> list[Service]:
    return [
        Service(key=k, name=SERVICE_CATALOGUE[k])
        for k in keys
        if k in SERVICE_CATALOGUE
    ]


@strawberry.type(
    description="A customer's profile: the customer, the admins and the workers "
    "of the customer's bookings see it."
)
class Customer(
    nodes.DocumentNode[CustomerDoc],
    loader=CustomerByIdLoader,
    may_see_id=customers.may_read,
):
    name = doc_field(str, description="The customer's name.")
    country = doc_field(Country, description="Where the customer books.")

    phone = own_phone("customer")

    bookings = bookings_field(
        LazyBooking,
        "This customer's bookings that the viewer may see.",
        party="customer_id",
    )

    reviews = paged_field(
        Review,
        "Workers' reviews of this customer, newest first: for the customer, "
        "admins, and workers with a request from them to decide on (null for "
        "anyone else).",
        customer_reviews,
    )


@strawberry.type(
    description="A worker's profile. Public, but for the fields that say who "
    "else may see them (null for anyone else)."
)
# Profiles are public, as `worker(id:)` shows.
class Worker(nodes.DocumentNode[WorkerDoc], loader=WorkerByIdLoader):
    name = doc_field(str, description="The worker's name.")
    country = doc_field(
        Country, description="Where the worker works; decides `currency`."
    )
    bio = doc_field(
        str, description="The worker's own words about their work (may be empty)."
    )

    @strawberry.field(description="The services the worker offers, in their order.")
    def services(self) -> list[Service]:
        return service_list(self.doc.services)

    hourly_rate = doc_field(
        int | None,
        attr="hourly_rate_cents",
        description="Hourly rate in integer cents of `currency`, GST included; "
        "null until the worker sets one (they cannot be booked until then).",
    )
    currency = doc_field(
        Currency, description="The currency of the rate and of prices."
    )

    phone = own_phone("worker")

    @strawberry.field(description="Whether payouts can be sent (worker, admin).")
    def payouts_enabled(self, info: Info) -> bool | None:
        return worker_payouts_enabled(info, self.doc)

    @strawberry.field(description="Shares waiting for onboarding (worker, admin).")
    async def pending_payouts(self, info: Info) -> list[PendingPayout]:
        return await worker_pending_payouts(info, self.doc)

    bookings = bookings_field(
        LazyBooking,
        "This worker's bookings that the viewer may see.",
        party="worker_id",
    )

    # --- Reviews ------------------------------------------------------------
    @strawberry.field(description="The average of the worker's visible reviews.")
    async def rating(self, info: Info) -> Rating:
        return await worker_rating(info, self.doc)

    reviews = paged_field(
        Review,
        "Customers' reviews of this worker that are revealed and not hidden, "
        "newest first (admins: all of them).",
        worker_reviews,
    )

    # --- Places and files ---------------------------------------------------
    distance: strawberry.Private[float | None] = None

    @strawberry.field(description="Where the worker is based (locality only).")
    def base_locality(self) -> str | None:
        return worker_base_locality(self.doc)

    @strawberry.field(description="The full base address: the worker and admins.")
    def base_address(self, info: Info) -> Place | None:
        return worker_base_address(info, self.doc)

    service_radius_km = doc_field(
        float | None, description="How far from their base the worker travels."
    )

    @strawberry.field(description="From the searched point, to 0.1 km (search only).")
    def distance_km(self) -> float | None:
        return search_distance_km(self.distance)

    @strawberry.field(description="Short-lived URL of the worker's photo.")
    async def avatar_url(self, info: Info) -> str | None:
        return await worker_avatar_url(info, self.doc)

    @strawberry.field(description="Identity and licence files: worker and admins.")
    async def documents(self, info: Info) -> list[Attachment] | None:
        return await worker_documents(info, self.doc)

    # --- Availability ---------------------------------------------------------
    @strawberry.field(
        description="When the worker works; null until they set a schedule "
        "(until then they can be booked at any time they have no booking)."
    )
    def availability(self, info: Info) -> Availability | None:
        return worker_availability(info, self.doc)

    @strawberry.field(
        description="Bookable starts in [`from`, `to`), on the half hour of the "
        "worker's clock, at the worker's offset: within their schedule and free "
        "of their requested, accepted and in-progress bookings for the whole "
        "`durationMinutes` (at most 500)."
    )
    async def available_slots(
        self,
        info: Info,
        from_: SlotFrom,
        to: SlotTo,
        duration_minutes: SlotDuration,
    ) -> list[datetime]:
        return await worker_available_slots(info, self.doc, from_, to, duration_minutes)


@strawberry.type(
    description="A signed-in account and its profile: its holder and admins see it."
)
class User(
    nodes.DocumentNode[UserDoc],
    loader=UserByIdLoader,
    may_see_id=is_own_account_or_admin,
):
    email = doc_field(str, description="The sign-in email, lower case.")
    role = doc_field(Role, description="What the account is for.")
    created_at = doc_field(datetime, description="When the account was made (UTC).")

    @strawberry.field(
        description="Which emails the account gets; only the account itself and "
        "admins see them (null for anyone else)."
    )
    def notification_preferences(self, info: Info) -> NotificationPreferences | None:
        if not is_own_account_or_admin(info.context.viewer, self.doc.id):
            return None
        return NotificationPreferences.of(self.doc.notification_preferences)

    @strawberry.field(description="The customer profile, for a CUSTOMER account.")
    async def customer(self) -> Customer | None:
        doc = await _profile(self.doc, Role.CUSTOMER, CustomerDoc)
        return Customer(doc=doc) if doc else None

    @strawberry.field(description="The worker profile, for a WORKER account.")
    async def worker(self) -> Worker | None:
        doc = await _profile(self.doc, Role.WORKER, WorkerDoc)
        return Worker(doc=doc) if doc else None


async def _profile(user: UserDoc, role: Role, document: type[P]) -> P | None:
    """The account's profile of this kind, for an account of its role."""
    if user.role is not role:
        return None
    return await document.find_one(document.user_id == user.id)
