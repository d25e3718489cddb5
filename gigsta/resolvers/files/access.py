"""Who may see which file, the ready files of bookings and workers, and
download links."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import timedelta

from beanie import PydanticObjectId, SortDirection

from gigsta.documents import Attachment, Booking
from gigsta.documents.files import AttachmentStatus
from gigsta.domain.accounts import Role, Viewer
from gigsta.domain.files import UploadPurpose
from gigsta.integrations.r2 import ObjectStore
from gigsta.resolvers.core.batches import group_by

_OLDEST_FIRST = [
    ("created_at", SortDirection.ASCENDING),
    ("_id", SortDirection.ASCENDING),
]


def may_read(
    viewer: Viewer | None, attachment: Attachment, booking: Booking | None
) -> bool:
    if viewer is None:
        return False
    if viewer.role is Role.ADMIN:
        return True
    if attachment.purpose is UploadPurpose.BOOKING_PHOTO:
        return booking is not None and booking.role_of(viewer) is not None
    # Avatars are public through `Worker.avatarUrl`; documents only for the worker.
    return viewer.profile_id == str(attachment.owner_worker_id)


def may_see_attachment(
    viewer: Viewer | None, attachment: Attachment, booking: Booking | None
) -> bool:
    """Whether `node(id:)` shows the attachment: as the fields that list files
    do, only once it is uploaded, and a booking's photo only to those who see
    the booking itself (`Booking.attachments`)."""
    if attachment.status is not AttachmentStatus.READY:
        return False
    if attachment.purpose is UploadPurpose.BOOKING_PHOTO and (
        booking is None or booking.visible_role(viewer) is None
    ):
        return False
    return may_read(viewer, attachment, booking)


def may_see_booking_files(viewer: Viewer | None, booking: Booking) -> bool:
    """Booking photos: for its customer, its worker and admins."""
    return viewer is not None and booking.role_of(viewer) is not None


async def _ready_by(
    field: str, keys: Sequence[PydanticObjectId], **match: str
) -> list[list[Attachment]]:
    """Ready attachments whose `field` is one of `keys`, oldest first, one list
    per key in key order (one query)."""
    docs = (
        await Attachment.find(
            {
                field: {"$in": list(set(keys))},
                **match,
                "status": AttachmentStatus.READY.value,
            }
        )
        .sort(_OLDEST_FIRST)
        .to_list()
    )
    return group_by(keys, docs, lambda doc: getattr(doc, field))


async def attachments_by_booking(
    booking_ids: Sequence[PydanticObjectId],
) -> list[list[Attachment]]:
    """Ready attachments of each booking, oldest first, in key order (one query)."""
    return await _ready_by("booking_id", booking_ids)


async def documents_by_worker(
    worker_ids: Sequence[PydanticObjectId],
) -> list[list[Attachment]]:
    """Ready identity and licence files of each worker, oldest first, in key
    order (one query). Who may see them is the caller's check."""
    return await _ready_by(
        "owner_worker_id", worker_ids, purpose=UploadPurpose.WORKER_DOCUMENT.value
    )


async def download_url(
    store: ObjectStore | None, key: str, ttl: timedelta
) -> str | None:
    if store is None:
        return None
    return await store.presign_get(key, expires_in=int(ttl.total_seconds()))
