"""GraphQL types for addresses, and the address fields of `Booking` and `Worker`."""

from __future__ import annotations

from typing import TYPE_CHECKING

import strawberry

from gigsta.documents.places import PlaceAddress as PlaceAddressDoc
from gigsta.domain.accounts import is_self_or_admin
from gigsta.domain.places import address_detail
from gigsta.resolvers import places as place_service
from gigsta.schema.core.context import Info
from gigsta.schema.core.dataloaders import WorkerByIdLoader
from gigsta.schema.core.enums import AddressDetail
from gigsta.schema.core.fields import doc_field

if TYPE_CHECKING:
    from gigsta.documents import Booking as BookingDoc
    from gigsta.documents import Worker as WorkerDoc


def _km(value: float | None) -> float | None:
    return None if value is None else round(value, 3)


@strawberry.type(description="A normalised address (a worker's own base, say).")
class Place:
    doc: strawberry.Private[PlaceAddressDoc]

    formatted = doc_field(str, description="The whole address on one line.")
    locality = doc_field(str | None, description="Suburb or locality, if known.")
    city = doc_field(str | None, description="Town or city (NZ only).")
    region = doc_field(str | None, description="Region (NZ) or state (AU), if known.")
    postcode = doc_field(str | None, description="Postcode, if known.")
    country = doc_field(str, description="`NZ` or `AU`.")

    @strawberry.field(description="Degrees north (negative: south), WGS 84.")
    def latitude(self) -> float:
        return self.doc.location.latitude

    @strawberry.field(description="Degrees east, WGS 84.")
    def longitude(self) -> float:
        return self.doc.location.longitude


@strawberry.type(
    description=(
        "A booking's address as the viewer may see it: the assigned worker sees "
        "the street address and coordinates only from acceptance until the job "
        "is over; otherwise the locality and the distance from their base."
    )
)
class BookingAddress:
    detail: AddressDetail = strawberry.field(
        description="How much the viewer sees: with LOCALITY, the fields marked "
        "FULL only are null."
    )
    formatted: str | None = strawberry.field(
        description="The whole address on one line (FULL only)."
    )
    street_number: str | None = strawberry.field(
        description="House number (FULL only)."
    )
    street: str | None = strawberry.field(description="Street name (FULL only).")
    locality: str | None = strawberry.field(description="Suburb or locality, if known.")
    city: str | None = strawberry.field(description="Town or city (NZ only).")
    region: str | None = strawberry.field(
        description="Region (NZ) or state (AU), if known."
    )
    postcode: str | None = strawberry.field(description="Postcode, if known.")
    country: str = strawberry.field(description="`NZ` or `AU`.")
    latitude: float | None = strawberry.field(
        description="Degrees north, WGS 84 (FULL only)."
    )
    longitude: float | None = strawberry.field(
        description="Degrees east, WGS 84 (FULL only)."
    )
    distance_km: float | None = strawberry.field(
        description="From the assigned worker's base, in km."
    )


@strawberry.type(
    description=(
        "A suggested address. Pass `token` as `addressToken` (or "
        "`baseAddressToken`) to use it; tokens expire after 24 hours."
    )
)
class AddressSuggestion:
    token: str = strawberry.field(
        description="Signed reference to this exact address, valid for 24 hours; "
        "opaque."
    )
    formatted: str = strawberry.field(
        description="The whole address on one line, to show in the list."
    )
    street_number: str | None = strawberry.field(description="House number.")
    street: str | None = strawberry.field(description="Street name.")
    locality: str | None = strawberry.field(description="Suburb or locality.")
    city: str | None = strawberry.field(description="NZ addresses only.")
    region: str | None = strawberry.field(description="Region (NZ) or state (AU).")
    postcode: str | None = strawberry.field(description="Postcode.")
    country: str = strawberry.field(description="`NZ` or `AU`.")
    latitude: float = strawberry.field(description="Degrees north, WGS 84.")
    longitude: float = strawberry.field(description="Degrees east, WGS 84.")


async def booking_address(info: Info, booking: BookingDoc) -> BookingAddress | None:
    address = booking.address
    role = booking.role_of(info.context.viewer)
    if address is None or role is None:
        return None
    worker = await info.context.loader(WorkerByIdLoader).load(booking.worker_id)
    distance = place_service.distance_from_base_km(worker, address) if worker else None
    full = address_detail(role, booking.status) is AddressDetail.FULL
    return BookingAddress(
        detail=AddressDetail.FULL if full else AddressDetail.LOCALITY,
        formatted=address.formatted if full else None,
        street_number=address.street_number if full else None,
        street=address.street if full else None,
        locality=address.locality,
        city=address.city,
        region=address.region,
        postcode=address.postcode,
        country=address.country,
        latitude=address.location.latitude if full else None,
        longitude=address.location.longitude if full else None,
        distance_km=_km(distance),
    )


def worker_base_locality(worker: WorkerDoc) -> str | None:
    base = worker.base_address
    if base is None:
        return None
    return base.locality or base.city or base.region


def worker_base_address(info: Info, worker: WorkerDoc) -> Place | None:
    if worker.base_address is None or not is_self_or_admin(
        info.context.viewer, worker.id
    ):
        return None
    return Place(doc=worker.base_address)


def search_distance_km(value: float | None) -> float | None:
    """Public search distances are rounded to 100 m: exact distances from
    points of the caller's choosing would pinpoint a worker's base by
    trilateration."""
    return None if value is None else round(value, 1)
