"""Accounts' root fields: the viewer, the service catalogue, workers (with the
service-area search) and customers."""

from __future__ import annotations

from datetime import datetime
from typing import TYPE_CHECKING, Annotated

import strawberry

from gigsta.domain.core import ClientError, ErrorCode, length_errors
from gigsta.domain.places import Address
from gigsta.domain.services import MAX_SERVICE_KEY_LENGTH, SERVICE_CATALOGUE
from gigsta.resolvers import availability, places
from gigsta.resolvers.accounts import customers, workers
from gigsta.resolvers.core.ids import parse_object_id
from gigsta.resolvers.core.pagination import Paging
from gigsta.schema.accounts.types import Customer, Service, User, Worker
from gigsta.schema.core import nodes
from gigsta.schema.core.connections import (
    AfterArgument,
    BeforeArgument,
    Connection,
    FirstArgument,
    LastArgument,
    connection_from_page,
)
from gigsta.schema.core.context import Info
from gigsta.schema.core.dataloaders import UserByIdLoader

if TYPE_CHECKING:
    from gigsta.documents import Worker as WorkerDoc


def _worker(doc: WorkerDoc) -> Worker:
    return Worker(doc=doc)


@strawberry.input(description="A point on the map (WGS 84 degrees).")
class NearInput:
    latitude: float = strawberry.field(description="Degrees north (negative: south).")
    longitude: float = strawberry.field(description="Degrees east.")


@strawberry.input(description="Give `near` or `addressToken` (not both) to search.")
class WorkerFilter:
    service: str | None = strawberry.field(
        default=None, description="A key from the `services` query."
    )
    near: NearInput | None = strawberry.field(
        default=None,
        description="Only workers whose service area covers this point, nearest first.",
    )
    address_token: str | None = strawberry.field(
        default=None, description="A token from `addressSuggestions`."
    )
    available_at: datetime | None = strawberry.field(
        default=None,
        description="Only workers who could start a job at this instant: within "
        "their schedule (or with none set) and with no requested, accepted or "
        "in-progress booking then.",
    )


async def filtered_workers(
    info: Info, filter: WorkerFilter, paging: Paging
) -> Connection[Worker]:
    """`workers(filter: ...)`: by service area (nearest first) or by service."""
    for error in length_errors(
        "filter.service", filter.service, MAX_SERVICE_KEY_LENGTH
    ):
        raise ClientError(error.code, error.message)
    if filter.near is not None and filter.address_token is not None:
        raise ClientError(
            ErrorCode.BAD_USER_INPUT, "Give either `near` or `addressToken`."
        )
    point: places.NearPoint | None = None
    if filter.near is not None:
        point = places.NearPoint(filter.near.latitude, filter.near.longitude)
    elif filter.address_token is not None:
        address = places.address_from_token(
            filter.address_token,
            field="filter.addressToken",
            secret=info.context.runtime.settings.address_token_key(),
            now=info.context.now,
        )
        if not isinstance(address, Address):
            raise ClientError(address.code, address.message)
        point = places.NearPoint(address.latitude, address.longitude)
    excluded = (
        await availability.unavailable_worker_ids(
            filter.available_at, now=info.context.now
        )
        if filter.available_at is not None
        else None
    )
    if point is None:
        page = await workers.list_workers(
            paging, service=filter.service, excluded=excluded
        )
        return connection_from_page(page, _worker)
    found = await places.search_workers_near(
        point, paging, service=filter.service, excluded=excluded
    )
    return connection_from_page(found, lambda hit: Worker(doc=hit[0], distance=hit[1]))


@strawberry.type
class AccountsQuery:
    @strawberry.field(description="The signed-in user, or null when anonymous.")
    async def viewer(self, info: Info) -> User | None:
        viewer = info.context.viewer
        if viewer is None:
            return None
        oid = parse_object_id(viewer.user_id)
        doc = await info.context.loader(UserByIdLoader).load(oid) if oid else None
        return User(doc=doc) if doc else None

    @strawberry.field(description="The catalogue of services workers can offer.")
    def services(self) -> list[Service]:
        return [Service(key=k, name=v) for k, v in SERVICE_CATALOGUE.items()]

    @strawberry.field(description="One worker's public profile, or null if none.")
    async def worker(
        self,
        id: Annotated[
            strawberry.ID, strawberry.argument(description="The worker's `id`.")
        ],
    ) -> Worker | None:
        doc = await workers.get_worker(nodes.expect_id(id, Worker, "id"))
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
        *,
        first: FirstArgument = None,
        after: AfterArgument = None,
        last: LastArgument = None,
        before: BeforeArgument = None,
        filter: Annotated[
            WorkerFilter | None,
            strawberry.argument(
                description="Narrow the list by service and by location; "
                "without it, all workers."
            ),
        ] = None,
    ) -> Connection[Worker] | None:
        paging = Paging(first, after, last, before)
        if filter is not None:
            return await filtered_workers(info, filter, paging)
        page = await workers.list_workers(paging)
        return connection_from_page(page, _worker)

    @strawberry.field(
        description=(
            "A customer's profile. Only that customer and admins may read it: "
            "null for anyone else, or for no such customer (UNAUTHENTICATED "
            "without a token)."
        )
    )
    async def customer(
        self,
        info: Info,
        id: Annotated[
            strawberry.ID, strawberry.argument(description="The customer's `id`.")
        ],
    ) -> Customer | None:
        customer_id = nodes.expect_id(id, Customer, "id")
        doc = await customers.get_customer(
            info.context.signed_in("customers"), customer_id
        )
        return Customer(doc=doc) if doc else None
