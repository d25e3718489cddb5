"""GraphQL types for files, and the file fields of `Booking` and `Worker`."""

from __future__ import annotations

from datetime import timedelta
from typing import TYPE_CHECKING

import strawberry

from gigsta.documents import Attachment as AttachmentDoc
from gigsta.domain.accounts import is_self_or_admin
from gigsta.resolvers.files import access
from gigsta.schema.core import nodes
from gigsta.schema.core.context import Info
from gigsta.schema.core.enums import UploadPurpose
from gigsta.schema.core.fields import doc_field, local_time_field
from gigsta.schema.files.dataloaders import (
    AttachmentByIdLoader,
    AttachmentsByBookingLoader,
    DocumentsByWorkerLoader,
)

if TYPE_CHECKING:
    from gigsta.documents import Booking as BookingDoc
    from gigsta.documents import Worker as WorkerDoc


@strawberry.type(
    description="An uploaded file. `url` is a short-lived download link. A "
    "booking's photos are seen by its customer, its worker and admins; a "
    "worker's documents by that worker and admins."
)
class Attachment(
    nodes.DocumentNode[AttachmentDoc],
    loader=AttachmentByIdLoader,
    may_see_in_booking=access.may_see_attachment,
):
    # A booking's photos read in the booking's time zone; a worker's documents
    # belong to no place and read in UTC.
    zone: strawberry.Private[str] = "UTC"

    key = doc_field(str, description="Where the file is stored; the upload's `key`.")
    purpose = doc_field(UploadPurpose, description="What the file is for.")
    filename = doc_field(
        str, description="The name the uploader gave, for display only."
    )
    content_type = doc_field(str, description="Its MIME type, e.g. `image/png`.")
    size_bytes = doc_field(int, description="Its size in bytes.")
    created_at = local_time_field(
        description="When the upload was started: in the booking's time zone for "
        "a booking photo, else UTC."
    )

    @strawberry.field(description="Presigned GET URL, valid for a few minutes.")
    async def url(self, info: Info) -> str | None:
        return await download_url(info, self.doc.key)


async def download_url(info: Info, key: str) -> str | None:
    runtime = info.context.runtime
    ttl = timedelta(seconds=runtime.settings.download_url_ttl_seconds)
    return await access.download_url(runtime.files, key, ttl)


async def booking_attachments(info: Info, booking: BookingDoc) -> list[Attachment]:
    if booking.id is None or not access.may_see_booking_files(
        info.context.viewer, booking
    ):
        return []
    docs = await info.context.loader(AttachmentsByBookingLoader).load(booking.id)
    return [Attachment(doc=d, zone=booking.time_zone) for d in docs]


async def worker_avatar_url(info: Info, worker: WorkerDoc) -> str | None:
    if worker.avatar_key is None:
        return None
    return await download_url(info, worker.avatar_key)


async def worker_documents(info: Info, worker: WorkerDoc) -> list[Attachment] | None:
    if worker.id is None or not is_self_or_admin(info.context.viewer, worker.id):
        return None
    docs = await info.context.loader(DocumentsByWorkerLoader).load(worker.id)
    return [Attachment(doc=d) for d in docs]
