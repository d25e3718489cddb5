"""The root Query and Mutation types. Each resolver delegates to `gigsta.resolvers`."""

from __future__ import annotations

from datetime import datetime, timedelta

import strawberry

from gigsta.domain.errors import ClientError, ErrorCode
from gigsta.domain.services import SERVICE_CATALOGUE
from gigsta.resolvers import accounts, bookings, customers, workers
from gigsta.resolvers.ids import parse_object_id
from gigsta.resolvers.pagination import Page
from gigsta.schema.context import Info
from gigsta.schema.places import WorkerFilter, filtered_workers
from gigsta.schema.types import (
    Booking,
    BookingStatus,
    Connection,
    Country,
    Customer,
    Role,
    Service,
    User,
    UserError,
    Worker,
    bookings_connection,
    connection_from_page,
    user_errors,
)


def _tokens(info: Info) -> accounts.TokenConfig:
    settings = info.context.runtime.settings
    return accounts.TokenConfig(
        secret=settings.require_jwt_secret(),
        ttl=timedelta(seconds=settings.jwt_ttl_seconds),
    )


@strawberry.input
class SignUpInput:
    email: str
    password: str
    name: str
    role: Role
    country: Country


@strawberry.input
class LogInInput:
    email: str
    password: str


@strawberry.input
class UpdateWorkerProfileInput:
    name: str | None = None
    bio: str | None = None
    services: list[str] | None = strawberry.field(
        default=None, description="Keys from the `services` query."
    )
    hourly_rate: int | None = strawberry.field(
        default=None, description="Integer cents of the worker's currency."
    )
    base_address_token: str | None = strawberry.field(
        default=None, description="A token from `addressSuggestions`."
    )
    service_radius_km: float | None = strawberry.field(
        default=None, description="1 to 100 km around the base address."
    )


@strawberry.input
class RequestBookingInput:
    worker_id: strawberry.ID
    service: str = strawberry.field(description="A key from the `services` query.")
    description: str
    scheduled_start: datetime = strawberry.field(description="With a UTC offset.")
    scheduled_end: datetime
    address_token: str | None = strawberry.field(
        default=None, description="Where: a token from `addressSuggestions`."
    )
    payment_method_id: str | None = strawberry.field(
        default=None,
        description="A Stripe PaymentMethod id made by Stripe.js (e.g. `pm_...`).",
    )


@strawberry.input
class PerformBookingActionInput:
    booking_id: strawberry.ID
    action: str = strawberry.field(description="An `actionName` from availableActions.")
    expected_version: int = strawberry.field(
        description="The booking `version` the client saw; stale ones are refused."
    )
    reason: str | None = None


@strawberry.type
class AuthPayload:
    token: str | None
    viewer: User | None
    errors: list[UserError]


@strawberry.type
class WorkerPayload:
    worker: Worker | None
    errors: list[UserError]


@strawberry.type
class BookingPayload:
    booking: Booking | None
    errors: list[UserError]


def _auth_payload(result: accounts.AuthResult) -> AuthPayload:
    return AuthPayload(
        token=result.token,
        viewer=User(doc=result.user) if result.user and not result.errors else None,
        errors=user_errors(result.errors),
    )


def _booking_payload(result: bookings.BookingResult) -> BookingPayload:
    return BookingPayload(
        booking=Booking(doc=result.booking) if result.booking else None,
        errors=user_errors(result.errors),
    )


@strawberry.type
class Query:
    @strawberry.field(description="The signed-in user, or null when anonymous.")
    async def viewer(self, info: Info) -> User | None:
        viewer = info.context.viewer
        if viewer is None:
            return None
        oid = parse_object_id(viewer.user_id)
        doc = await info.context.loaders.user_by_id.load(oid) if oid else None
        return User(doc=doc) if doc else None

    @strawberry.field(description="The catalogue of services workers can offer.")
    def services(self) -> list[Service]:
        return [Service(key=k, name=v) for k, v in SERVICE_CATALOGUE.items()]

    @strawberry.field
    async def worker(self, id: strawberry.ID) -> Worker | None:
        doc = await workers.get_worker(id)
        return Worker(doc=doc) if doc else None

    @strawberry.field(
        description=(
            "Workers in a stable order; `first` is capped at 100. With "
            "`filter.near` or `filter.addressToken`: those whose service area "
            "covers the point, nearest first."
        )
    )
    async def workers(
        self,
        info: Info,
        first: int | None = None,
        after: str | None = None,
        filter: WorkerFilter | None = None,
    ) -> Connection[Worker]:
        if filter is not None:
            return await filtered_workers(info, filter, first, after)
        page = await workers.list_workers(first, after)
        return connection_from_page(
            Page([(Worker(doc=w), c) for w, c in page.items], page.has_next_page)
        )

    @strawberry.field(description="Only that customer or an admin may read it.")
    async def customer(self, info: Info, id: strawberry.ID) -> Customer | None:
        if info.context.viewer is None:
            raise ClientError(ErrorCode.UNAUTHENTICATED, "Sign in to see customers.")
        doc = await customers.get_customer(info.context.viewer, id)
        return Customer(doc=doc) if doc else None

    @strawberry.field(description="A booking the viewer is part of (any, for admins).")
    async def booking(self, info: Info, id: strawberry.ID) -> Booking | None:
        if info.context.viewer is None:
            raise ClientError(ErrorCode.UNAUTHENTICATED, "Sign in to see bookings.")
        doc = await bookings.get_booking(info.context.viewer, id)
        return Booking(doc=doc) if doc else None

    @strawberry.field(description="The viewer's bookings, newest first; `first` ≤ 100.")
    async def bookings(
        self,
        info: Info,
        first: int | None = None,
        after: str | None = None,
        status: BookingStatus | None = None,
    ) -> Connection[Booking]:
        return await bookings_connection(info, first=first, after=after, status=status)


@strawberry.type
class Mutation:
    @strawberry.mutation(description="Create a CUSTOMER or WORKER account.")
    async def sign_up(self, info: Info, input: SignUpInput) -> AuthPayload:
        result = await accounts.sign_up(
            email=input.email,
            password=input.password,
            name=input.name,
            role=input.role,
            country=input.country,
            now=info.context.now,
            tokens=_tokens(info),
        )
        return _auth_payload(result)

    @strawberry.mutation
    async def log_in(self, info: Info, input: LogInInput) -> AuthPayload:
        result = await accounts.log_in(
            email=input.email,
            password=input.password,
            now=info.context.now,
            tokens=_tokens(info),
        )
        return _auth_payload(result)

    @strawberry.mutation(description="Edit the signed-in worker's profile.")
    async def update_worker_profile(
        self,
        info: Info,
        input: UpdateWorkerProfileInput,
    ) -> WorkerPayload:
        result = await workers.update_worker_profile(
            info.context.viewer,
            name=input.name,
            bio=input.bio,
            services=input.services,
            hourly_rate_cents=input.hourly_rate,
            now=info.context.now,
            base_address_token=input.base_address_token,
            service_radius_km=input.service_radius_km,
            address_secret=info.context.runtime.settings.address_token_key(),
        )
        return WorkerPayload(
            worker=Worker(doc=result.worker) if result.worker else None,
            errors=user_errors(result.errors),
        )

    @strawberry.mutation(description="A signed-in customer requests a worker.")
    async def request_booking(
        self,
        info: Info,
        input: RequestBookingInput,
    ) -> BookingPayload:
        result = await bookings.request_booking(
            info.context.viewer,
            worker_id=input.worker_id,
            service=input.service,
            description=input.description,
            scheduled_start=input.scheduled_start,
            scheduled_end=input.scheduled_end,
            now=info.context.now,
            address_token=input.address_token,
            address_secret=info.context.runtime.settings.address_token_key(),
            payment_method_id=input.payment_method_id,
            payments=info.context.runtime.payments,
        )
        return _booking_payload(result)

    @strawberry.mutation(description="Run one of the booking's availableActions.")
    async def perform_booking_action(
        self,
        info: Info,
        input: PerformBookingActionInput,
    ) -> BookingPayload:
        result = await bookings.perform_booking_action(
            info.context.viewer,
            booking_id=input.booking_id,
            action=input.action,
            expected_version=input.expected_version,
            reason=input.reason,
            now=info.context.now,
            payments=info.context.runtime.payments,
        )
        return _booking_payload(result)
