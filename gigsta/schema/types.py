"""GraphQL object types. Thin: fields read documents, DataLoaders fetch relations."""

from __future__ import annotations

from datetime import datetime
from typing import TYPE_CHECKING, Annotated, Generic, TypeVar

import strawberry
from beanie import PydanticObjectId

from gigsta.auth import is_self_or_admin
from gigsta.documents import Booking as BookingDoc
from gigsta.documents import Customer as CustomerDoc
from gigsta.documents import User as UserDoc
from gigsta.documents import Worker as WorkerDoc
from gigsta.documents.bookings import BookingEvent as BookingEventDoc
from gigsta.domain import accounts as accounts_domain
from gigsta.domain import booking_actions as actions_domain
from gigsta.domain.errors import ClientError, ErrorCode
from gigsta.domain.errors import UserError as UserErrorData
from gigsta.domain.services import SERVICE_CATALOGUE
from gigsta.resolvers import bookings as booking_service
from gigsta.resolvers.pagination import Page
from gigsta.schema import places_types
from gigsta.schema.context import Info

if TYPE_CHECKING:
    from gigsta.schema.payments import Payment, PendingPayout, Price

# The domain's enums are exposed as they are: `strawberry.enum` registers a
# GraphQL definition on the class and returns the same class.
strawberry.enum(accounts_domain.Role, description="What an account is for.")
strawberry.enum(accounts_domain.Country, description="Where we operate.")
strawberry.enum(accounts_domain.Currency)
strawberry.enum(
    actions_domain.BookingStatus, description="Where a booking is in its lifecycle."
)
strawberry.enum(
    actions_domain.ActorRole, description="Who took an action on a booking."
)
Role = accounts_domain.Role
Country = accounts_domain.Country
Currency = accounts_domain.Currency
BookingStatus = actions_domain.BookingStatus
ActorRole = actions_domain.ActorRole

T = TypeVar("T")


@strawberry.type(description="An expected failure the client can act on.")
class UserError:
    field: str | None = strawberry.field(
        description="The input field at fault (camelCase), or null for the whole input."
    )
    code: str = strawberry.field(
        description="Stable machine-readable code, e.g. EMAIL_TAKEN, NOT_FOUND."
    )
    message: str = strawberry.field(description="Human-readable explanation.")

    @classmethod
    def from_data(cls, error: UserErrorData) -> UserError:
        return cls(field=error.field, code=error.code.value, message=error.message)


def user_errors(errors: list[UserErrorData]) -> list[UserError]:
    return [UserError.from_data(e) for e in errors]


@strawberry.type
class PageInfo:
    has_next_page: bool
    end_cursor: str | None


@strawberry.type
class Edge(Generic[T]):
    node: T
    cursor: str


@strawberry.type
class Connection(Generic[T]):
    edges: list[Edge[T]]
    page_info: PageInfo


def connection_from_page(page: Page[T]) -> Connection[T]:
    return Connection(
        edges=[Edge(node=node, cursor=cursor) for node, cursor in page.items],
        page_info=PageInfo(
            has_next_page=page.has_next_page, end_cursor=page.end_cursor
        ),
    )


@strawberry.type(description="A service from the fixed catalogue.")
class Service:
    key: str = strawberry.field(description="Stable snake_case key, e.g. `pet_care`.")
    name: str


def service_list(keys: list[str]) -> list[Service]:
    return [
        Service(key=k, name=SERVICE_CATALOGUE[k])
        for k in keys
        if k in SERVICE_CATALOGUE
    ]


async def bookings_connection(
    info: Info,
    *,
    first: int | None,
    after: str | None,
    status: actions_domain.BookingStatus | None,
    worker_id: PydanticObjectId | None = None,
    customer_id: PydanticObjectId | None = None,
) -> Connection[Booking]:
    """A page of the bookings the viewer may see (optionally of one party)."""
    viewer = info.context.viewer
    if viewer is None:
        raise ClientError(ErrorCode.UNAUTHENTICATED, "Sign in to see bookings.")
    page = await booking_service.list_bookings(
        viewer,
        first=first,
        after=after,
        status=status,
        worker_id=worker_id,
        customer_id=customer_id,
    )
    return connection_from_page(
        Page([(Booking(doc=b), c) for b, c in page.items], page.has_next_page)
    )


@strawberry.type
class Customer:
    doc: strawberry.Private[CustomerDoc]

    @strawberry.field
    def id(self) -> strawberry.ID:
        return strawberry.ID(str(self.doc.id))

    @strawberry.field
    def name(self) -> str:
        return self.doc.name

    @strawberry.field
    def country(self) -> Country:
        return self.doc.country

    @strawberry.field(description="Only the customer and admins see the phone number.")
    def phone(self, info: Info) -> str | None:
        return (
            self.doc.phone
            if is_self_or_admin(info.context.viewer, self.doc.id)
            else None
        )

    @strawberry.field(description="This customer's bookings that the viewer may see.")
    async def bookings(
        self,
        info: Info,
        first: int | None = None,
        after: str | None = None,
        status: BookingStatus | None = None,
    ) -> Connection[Booking]:
        return await bookings_connection(
            info, first=first, after=after, status=status, customer_id=self.doc.id
        )


@strawberry.type
class Worker:
    doc: strawberry.Private[WorkerDoc]

    @strawberry.field
    def id(self) -> strawberry.ID:
        return strawberry.ID(str(self.doc.id))

    @strawberry.field
    def name(self) -> str:
        return self.doc.name

    @strawberry.field
    def country(self) -> Country:
        return self.doc.country

    @strawberry.field
    def bio(self) -> str:
        return self.doc.bio

    @strawberry.field
    def services(self) -> list[Service]:
        return service_list(self.doc.services)

    @strawberry.field(description="Hourly rate in integer cents of `currency`.")
    def hourly_rate(self) -> int | None:
        return self.doc.hourly_rate_cents

    @strawberry.field
    def currency(self) -> Currency:
        return self.doc.currency

    @strawberry.field(description="Only the worker and admins see the phone number.")
    def phone(self, info: Info) -> str | None:
        return (
            self.doc.phone
            if is_self_or_admin(info.context.viewer, self.doc.id)
            else None
        )

    # Payments (see gigsta/schema/payments.py; imported late: it imports us)
    @strawberry.field(description="Whether payouts can be sent (worker, admin).")
    def payouts_enabled(self, info: Info) -> bool | None:
        from gigsta.schema.payments import worker_payouts_enabled  # noqa: PLC0415

        return worker_payouts_enabled(info, self.doc)

    @strawberry.field(description="Shares waiting for onboarding (worker, admin).")
    async def pending_payouts(
        self, info: Info
    ) -> list[Annotated[PendingPayout, strawberry.lazy("gigsta.schema.payments")]]:
        from gigsta.schema.payments import worker_pending_payouts  # noqa: PLC0415

        return await worker_pending_payouts(info, self.doc)

    @strawberry.field(description="This worker's bookings that the viewer may see.")
    async def bookings(
        self,
        info: Info,
        first: int | None = None,
        after: str | None = None,
        status: BookingStatus | None = None,
    ) -> Connection[Booking]:
        return await bookings_connection(
            info, first=first, after=after, status=status, worker_id=self.doc.id
        )

    # --- Places and files ---------------------------------------------------
    distance: strawberry.Private[float | None] = None

    @strawberry.field(description="Where the worker is based (locality only).")
    def base_locality(self) -> str | None:
        return places_types.worker_base_locality(self.doc)

    @strawberry.field(description="The full base address: the worker and admins.")
    def base_address(self, info: Info) -> places_types.Place | None:
        return places_types.worker_base_address(info, self.doc)

    @strawberry.field(description="How far from their base the worker travels.")
    def service_radius_km(self) -> float | None:
        return self.doc.service_radius_km

    @strawberry.field(description="From the searched point, to 0.1 km (search only).")
    def distance_km(self) -> float | None:
        return places_types.search_distance_km(self.distance)

    @strawberry.field(description="Short-lived URL of the worker's photo.")
    async def avatar_url(self, info: Info) -> str | None:
        return await places_types.worker_avatar_url(info, self.doc)

    @strawberry.field(description="Identity and licence files: worker and admins.")
    async def documents(self, info: Info) -> list[places_types.Attachment] | None:
        return await places_types.worker_documents(info, self.doc)


@strawberry.type(description="A signed-in account and its profile.")
class User:
    doc: strawberry.Private[UserDoc]

    @strawberry.field
    def id(self) -> strawberry.ID:
        return strawberry.ID(str(self.doc.id))

    @strawberry.field
    def email(self) -> str:
        return self.doc.email

    @strawberry.field
    def role(self) -> Role:
        return self.doc.role

    @strawberry.field
    def created_at(self) -> datetime:
        return self.doc.created_at

    @strawberry.field(description="The customer profile, for a CUSTOMER account.")
    async def customer(self, info: Info) -> Customer | None:
        if self.doc.role is not accounts_domain.Role.CUSTOMER:
            return None
        doc = await CustomerDoc.find_one(CustomerDoc.user_id == self.doc.id)
        return Customer(doc=doc) if doc else None

    @strawberry.field(description="The worker profile, for a WORKER account.")
    async def worker(self, info: Info) -> Worker | None:
        if self.doc.role is not accounts_domain.Role.WORKER:
            return None
        doc = await WorkerDoc.find_one(WorkerDoc.user_id == self.doc.id)
        return Worker(doc=doc) if doc else None


@strawberry.type(description="One entry of a booking's history.")
class BookingEvent:
    doc: strawberry.Private[BookingEventDoc]

    @strawberry.field
    def action(self) -> str:
        return self.doc.action

    @strawberry.field
    def from_status(self) -> BookingStatus:
        return self.doc.from_status

    @strawberry.field
    def to_status(self) -> BookingStatus:
        return self.doc.to_status

    @strawberry.field
    def actor_role(self) -> ActorRole:
        return self.doc.actor_role

    @strawberry.field(description="The acting user's id; null for system actions.")
    def actor_id(self) -> strawberry.ID | None:
        return strawberry.ID(self.doc.actor_id) if self.doc.actor_id else None

    @strawberry.field
    def note(self) -> str:
        return self.doc.note

    @strawberry.field
    def reason(self) -> str | None:
        return self.doc.reason

    @strawberry.field
    def at(self) -> datetime:
        return self.doc.at


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


@strawberry.type
class Booking:
    doc: strawberry.Private[BookingDoc]

    @strawberry.field
    def id(self) -> strawberry.ID:
        return strawberry.ID(str(self.doc.id))

    @strawberry.field
    def status(self) -> BookingStatus:
        return self.doc.status

    @strawberry.field(description="Pass it as `expectedVersion` when acting.")
    def version(self) -> int:
        return self.doc.version

    @strawberry.field
    def service(self) -> Service:
        key = self.doc.service
        return Service(key=key, name=SERVICE_CATALOGUE.get(key, key))

    @strawberry.field
    def description(self) -> str:
        return self.doc.description

    @strawberry.field
    def scheduled_start(self) -> datetime:
        return self.doc.scheduled_start

    @strawberry.field
    def scheduled_end(self) -> datetime:
        return self.doc.scheduled_end

    @strawberry.field
    def created_at(self) -> datetime:
        return self.doc.created_at

    @strawberry.field
    async def customer(self, info: Info) -> Customer:
        doc = await info.context.loaders.customer_by_id.load(self.doc.customer_id)
        if doc is None:
            raise RuntimeError(f"booking {self.doc.id} has no customer")
        return Customer(doc=doc)

    @strawberry.field
    async def worker(self, info: Info) -> Worker:
        doc = await info.context.loaders.worker_by_id.load(self.doc.worker_id)
        if doc is None:
            raise RuntimeError(f"booking {self.doc.id} has no worker")
        return Worker(doc=doc)

    @strawberry.field
    def history(self) -> list[BookingEvent]:
        return [BookingEvent(doc=e) for e in self.doc.history]

    @strawberry.field(
        description="What the viewer may do now (none on a terminal booking)."
    )
    def available_actions(self, info: Info) -> list[BookingAction]:
        from gigsta.schema.payments import action_money_note  # noqa: PLC0415

        role = booking_service.actor_role(info.context.viewer, self.doc)
        if role is None:
            return []
        return [
            BookingAction(
                action_name=rule.name,
                button_label=rule.button_label,
                note=rule.note,
                is_critical=rule.is_critical,
                requires_reason=rule.requires_reason,
                payment_note=action_money_note(info, self.doc, rule.name),
            )
            for rule in actions_domain.available_actions(
                self.doc.facts(), role, info.context.now
            )
        ]

    # --- Places and files ---------------------------------------------------
    @strawberry.field(description="Where the job is, as much as the viewer may see.")
    async def address(self, info: Info) -> places_types.BookingAddress | None:
        return await places_types.booking_address(info, self.doc)

    @strawberry.field(description="Photos: for the customer, the worker and admins.")
    async def attachments(self, info: Info) -> list[places_types.Attachment]:
        return await places_types.booking_attachments(info, self.doc)

    # Payments (see gigsta/schema/payments.py; imported late: it imports us)
    @strawberry.field(description="The price; each party sees their own side.")
    def price(
        self, info: Info
    ) -> Annotated[Price, strawberry.lazy("gigsta.schema.payments")] | None:
        from gigsta.schema.payments import booking_price  # noqa: PLC0415

        return booking_price(info, self.doc)

    @strawberry.field(description="The card hold and charges (customer, admins).")
    def payment(
        self, info: Info
    ) -> Annotated[Payment, strawberry.lazy("gigsta.schema.payments")] | None:
        from gigsta.schema.payments import booking_payment  # noqa: PLC0415

        return booking_payment(info, self.doc)
