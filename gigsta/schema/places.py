"""Addresses and the worker search: `addressSuggestions` and the `workers` filter."""

from __future__ import annotations

import strawberry

from gigsta.domain.errors import ClientError, ErrorCode
from gigsta.domain.places import Address
from gigsta.resolvers import places, workers
from gigsta.resolvers.pagination import Page
from gigsta.schema.context import Info
from gigsta.schema.types import Connection, Country, Worker, connection_from_page


def _client_key(info: Info) -> str:
    """Who is asking: the signed-in user, else the client's address (uvicorn
    resolves it from trusted proxy headers)."""
    viewer = info.context.viewer
    if viewer is not None:
        return f"user:{viewer.user_id}"
    client = info.context.request.client
    return f"ip:{client.host if client else 'unknown'}"


@strawberry.type(
    description=(
        "A suggested address. Pass `token` as `addressToken` (or "
        "`baseAddressToken`) to use it; tokens expire after 24 hours."
    )
)
class AddressSuggestion:
    token: str
    formatted: str
    street_number: str | None
    street: str | None
    locality: str | None
    city: str | None = strawberry.field(description="NZ addresses only.")
    region: str | None
    postcode: str | None
    country: str
    latitude: float
    longitude: float


@strawberry.input
class NearInput:
    latitude: float
    longitude: float


@strawberry.input(description="Give `near` or `addressToken` (not both) to search.")
class WorkerFilter:
    service: str | None = strawberry.field(
        default=None, description="A key from the `services` query."
    )
    near: NearInput | None = None
    address_token: str | None = strawberry.field(
        default=None, description="A token from `addressSuggestions`."
    )


async def filtered_workers(
    info: Info, filter: WorkerFilter, first: int | None, after: str | None
) -> Connection[Worker]:
    """`workers(filter: ...)`: by service area (nearest first) or by service."""
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
    if point is None:
        page = await workers.list_workers(first, after, service=filter.service)
        return connection_from_page(
            Page([(Worker(doc=w), c) for w, c in page.items], page.has_next_page)
        )
    found = await places.search_workers_near(
        point, service=filter.service, first=first, after=after
    )
    return connection_from_page(
        Page(
            [(Worker(doc=w, distance=d), c) for (w, d), c in found.items],
            found.has_next_page,
        )
    )


@strawberry.type
class PlacesQuery:
    @strawberry.field(
        description=(
            "Address autocomplete for NZ or AU (at least 3 characters). Each "
            "suggestion carries a signed `token` that mutations accept."
        )
    )
    async def address_suggestions(
        self, info: Info, query: str, country: Country, first: int = 5
    ) -> list[AddressSuggestion]:
        runtime = info.context.runtime
        found = await places.address_suggestions(
            runtime.addressable,
            query=query,
            country=country.value,
            first=first,
            secret=runtime.settings.address_token_key(),
            now=info.context.now,
            client_key=_client_key(info),
            per_minute=runtime.settings.address_lookups_per_minute,
        )
        return [
            AddressSuggestion(
                token=s.token,
                formatted=s.address.formatted,
                street_number=s.address.street_number,
                street=s.address.street,
                locality=s.address.locality,
                city=s.address.city,
                region=s.address.region,
                postcode=s.address.postcode,
                country=s.address.country,
                latitude=s.address.latitude,
                longitude=s.address.longitude,
            )
            for s in found
        ]
