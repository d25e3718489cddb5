"""Deleting a file, and purging uploads that were never completed."""

from __future__ import annotations

from datetime import datetime, timedelta

from gigsta.documents import Attachment, Booking, Worker
from gigsta.documents.files import AttachmentStatus
from gigsta.domain.accounts import Role
from gigsta.domain.core import ErrorCode
from gigsta.domain.files import UploadPurpose
from gigsta.integrations.r2 import FileStorageUnavailableError, ObjectStore
from gigsta.resolvers.core.ids import parse_object_id
from gigsta.resolvers.files.access import may_read
from gigsta.resolvers.files.caller import (
    AttachmentResult,
    FilesCaller,
    fail,
    storage_down,
)


async def delete_attachment(
    caller: FilesCaller, *, attachment_id: str
) -> AttachmentResult:
    """Delete the object and its record: by its uploader or an admin."""
    ready = caller.ready([])
    if isinstance(ready, list):
        return AttachmentResult(errors=ready)
    viewer, store = ready
    oid = parse_object_id(attachment_id)
    attachment = await Attachment.get(oid) if oid else None
    booking = (
        await Booking.get(attachment.booking_id)
        if attachment is not None and attachment.booking_id is not None
        else None
    )
    if attachment is None or not may_read(viewer, attachment, booking):
        return AttachmentResult(
            errors=fail(ErrorCode.NOT_FOUND, "Attachment not found.", "id")
        )
    if not (
        viewer.role is Role.ADMIN or str(attachment.uploader_user_id) == viewer.user_id
    ):
        return AttachmentResult(
            errors=fail(
                ErrorCode.NOT_ALLOWED, "Only the uploader or an admin may delete it."
            )
        )
    # The object first: a failure leaves the record, so the delete can be retried.
    try:
        await store.delete(attachment.key)
    except FileStorageUnavailableError as exc:
        return AttachmentResult(errors=storage_down(exc))
    await attachment.delete()
    if attachment.purpose is UploadPurpose.WORKER_AVATAR:
        await Worker.find_one(
            {"_id": attachment.owner_worker_id, "avatar_key": attachment.key}
        ).update({"$set": {"avatar_key": None, "updated_at": caller.now}})
    return AttachmentResult(attachment=attachment)


ABANDONED_AFTER = timedelta(days=1)


async def purge_abandoned_uploads(
    store: ObjectStore, *, now: datetime, older_than: timedelta = ABANDONED_AFTER
) -> int:
    """Delete uploads started but never completed (their URLs expired long ago):
    the object, if anything was PUT, and the pending record. Returns how many."""
    stale = await Attachment.find(
        {
            "status": AttachmentStatus.PENDING.value,
            "created_at": {"$lt": now - older_than},
        }
    ).to_list()
    for attachment in stale:
        await store.delete(attachment.key)  # deleting a missing key is fine
        await Attachment.find_one(
            {"_id": attachment.id, "status": AttachmentStatus.PENDING.value}
        ).delete()
    return len(stale)
