"""GraphQL types for addresses and files, and the field resolvers that the
`Booking` and `Worker` types in `gigsta.schema.types` delegate to."""

from __future__ import annotations

from datetime import datetime, timedelta

import strawberry

from gigsta.auth import is_self_or_admin
from gigsta.documents import Attachment as AttachmentDoc
from gigsta.documents import Booking as BookingDoc
from gigsta.documents import Worker as WorkerDoc
from gigsta.documents.places import PlaceAddress as PlaceAddressDoc
from gigsta.domain import files as files_domain
from gigsta.domain import places as places_domain
from gigsta.resolvers import files as file_service
from gigsta.resolvers import places as place_service
from gigsta.resolvers.bookings import actor_role
from gigsta.schema.context import Info

strawberry.enum(files_domain.UploadPurpose, description="What an uploaded file is for.")
strawberry.enum(
    places_domain.AddressDetail,
    description="How much of an address the viewer may see.",
)
UploadPurpose = files_domain.UploadPurpose
AddressDetail = places_domain.AddressDetail


def _km(value: float | None) -> float | None:
    return None if value is None else round(value, 3)


@strawberry.type(description="A normalised address (a worker's own base, say).")
class Place:
    doc: strawberry.Private[PlaceAddressDoc]

    @strawberry.field
    def formatted(self) -> str:
        return self.doc.formatted

    @strawberry.field
    def locality(self) -> str | None:
        return self.doc.locality

    @strawberry.field
    def city(self) -> str | None:
        return self.doc.city

    @strawberry.field
    def region(self) -> str | None:
        return self.doc.region

    @strawberry.field
    def postcode(self) -> str | None:
        return self.doc.postcode

    @strawberry.field
    def country(self) -> str:
        return self.doc.country

    @strawberry.field
    def latitude(self) -> float:
        return self.doc.location.latitude

    @strawberry.field
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
    detail: AddressDetail
    formatted: str | None
    street_number: str | None
    street: str | None
    locality: str | None
    city: str | None
    region: str | None
    postcode: str | None
    country: str
    latitude: float | None
    longitude: float | None
    distance_km: float | None = strawberry.field(
        description="From the assigned worker's base, in km."
    )


@strawberry.type(description="An uploaded file. `url` is a short-lived download link.")
class Attachment:
    doc: strawberry.Private[AttachmentDoc]

    @strawberry.field
    def id(self) -> strawberry.ID:
        return strawberry.ID(str(self.doc.id))

    @strawberry.field
    def key(self) -> str:
        return self.doc.key

    @strawberry.field
    def purpose(self) -> UploadPurpose:
        return self.doc.purpose

    @strawberry.field
    def filename(self) -> str:
        return self.doc.filename

    @strawberry.field
    def content_type(self) -> str:
        return self.doc.content_type

    @strawberry.field
    def size_bytes(self) -> int:
        return self.doc.size_bytes

    @strawberry.field
    def created_at(self) -> datetime:
        return self.doc.created_at

    @strawberry.field(description="Presigned GET URL, valid for a few minutes.")
    async def url(self, info: Info) -> str | None:
        return await _download_url(info, self.doc.key)


async def _download_url(info: Info, key: str) -> str | None:
    runtime = info.context.runtime
    ttl = timedelta(seconds=runtime.settings.download_url_ttl_seconds)
    return await file_service.download_url(runtime.files, key, ttl)


# --- Resolvers for fields of Booking and Worker ------------------------------


async def booking_address(info: Info, booking: BookingDoc) -> BookingAddress | None:
    address = booking.address
    role = actor_role(info.context.viewer, booking)
    if address is None or role is None:
        return None
    worker = await info.context.loaders.worker_by_id.load(booking.worker_id)
    distance = place_service.distance_from_base_km(worker, address) if worker else None
    full = places_domain.address_detail(role, booking.status) is AddressDetail.FULL
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


async def booking_attachments(info: Info, booking: BookingDoc) -> list[Attachment]:
    if booking.id is None or not file_service.may_see_booking_files(
        info.context.viewer, booking
    ):
        return []
    docs = await info.context.loaders.attachments_by_booking.load(booking.id)
    return [Attachment(doc=d) for d in docs]


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


async def worker_avatar_url(info: Info, worker: WorkerDoc) -> str | None:
    if worker.avatar_key is None:
        return None
    return await _download_url(info, worker.avatar_key)


async def worker_documents(info: Info, worker: WorkerDoc) -> list[Attachment] | None:
    if worker.id is None or not is_self_or_admin(info.context.viewer, worker.id):
        return None
    docs = await info.context.loaders.documents_by_worker.load(worker.id)
    return [Attachment(doc=d) for d in docs]


def search_distance_km(value: float | None) -> float | None:
    """Public search distances are rounded to 100 m: exact distances from
    points of the caller's choosing would pinpoint a worker's base by
    trilateration."""
    return None if value is None else round(value, 1)


__all__ = [
    "AddressDetail",
    "Attachment",
    "BookingAddress",
    "Place",
    "UploadPurpose",
]
