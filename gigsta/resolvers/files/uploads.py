"""Uploads: a pending record and a presigned PUT, then the completion check
that marks it ready (and a worker's new avatar replacing the old one)."""

from __future__ import annotations

import logging
import secrets
from datetime import datetime, timedelta

from beanie import PydanticObjectId
from pymongo import ReturnDocument

from gigsta.documents import Attachment, Booking, Worker
from gigsta.documents.files import AttachmentStatus
from gigsta.domain.accounts import Role, Viewer, own_profile_id
from gigsta.domain.core import ErrorCode, UserError
from gigsta.domain.files import (
    UploadLimits,
    UploadPurpose,
    normalise_content_type,
    object_key,
    validate_key,
    validate_upload,
)
from gigsta.integrations.r2 import FileStorageUnavailableError, ObjectStore
from gigsta.resolvers.core.ids import parse_object_id
from gigsta.resolvers.files.caller import (
    AttachmentResult,
    FilesCaller,
    UploadResult,
    fail,
    storage_down,
)

log = logging.getLogger(__name__)


async def _owner_for(
    viewer: Viewer, purpose: UploadPurpose, booking_id: str | None
) -> tuple[PydanticObjectId | None, PydanticObjectId | None, list[UserError]]:
    """(booking id, worker id) the upload belongs to, or the errors."""
    if purpose is UploadPurpose.BOOKING_PHOTO:
        oid = parse_object_id(booking_id or "")
        booking = await Booking.get(oid) if oid else None
        if booking is None or booking.role_of(viewer) is None:
            return (
                None,
                None,
                fail(ErrorCode.NOT_FOUND, "Booking not found.", "bookingId"),
            )
        return booking.id, None, []
    if booking_id is not None:
        return (
            None,
            None,
            fail(
                ErrorCode.INVALID,
                "Only booking photos belong to a booking.",
                "bookingId",
            ),
        )
    profile_id = own_profile_id(
        viewer, Role.WORKER, "Only workers upload avatars and documents."
    )
    if isinstance(profile_id, UserError):
        return None, None, [profile_id]
    return None, parse_object_id(profile_id), []


async def create_upload(
    caller: FilesCaller,
    *,
    purpose: UploadPurpose,
    booking_id: str | None,
    content_type: str,
    size_bytes: int,
    filename: str,
    limits: UploadLimits,
    url_ttl: timedelta,
) -> UploadResult:
    ready = caller.ready(
        validate_upload(purpose, content_type, size_bytes, filename, limits)
    )
    if isinstance(ready, list):
        return UploadResult(errors=ready)
    viewer, store = ready
    booking_oid, worker_oid, errors = await _owner_for(viewer, purpose, booking_id)
    if errors:
        return UploadResult(errors=errors)
    owner = booking_oid or worker_oid
    content_type = normalise_content_type(content_type)
    key = object_key(purpose, str(owner), secrets.token_hex(16), content_type)
    await Attachment(
        key=key,
        purpose=purpose,
        uploader_user_id=PydanticObjectId(viewer.user_id),
        owner_worker_id=worker_oid,
        booking_id=booking_oid,
        content_type=content_type,
        size_bytes=size_bytes,
        filename=filename.strip() or "upload",
        created_at=caller.now,
    ).insert()
    url = await store.presign_put(
        key,
        content_type=content_type,
        size_bytes=size_bytes,
        expires_in=int(url_ttl.total_seconds()),
    )
    return UploadResult(
        upload_url=url,
        key=key,
        expires_at=caller.now + url_ttl,
        headers={"Content-Type": content_type, "Content-Length": str(size_bytes)},
    )


async def complete_upload(caller: FilesCaller, *, key: str) -> AttachmentResult:
    """Check the uploaded object and record it. Idempotent per key."""
    try:
        return await _complete_upload(caller, key)
    except FileStorageUnavailableError as exc:
        return AttachmentResult(errors=storage_down(exc))


async def _complete_upload(  # noqa: PLR0911 - one early return per failure
    caller: FilesCaller, key: str
) -> AttachmentResult:
    ready = caller.ready(validate_key(key))
    if isinstance(ready, list):
        return AttachmentResult(errors=ready)
    viewer, store = ready
    pending = await Attachment.find_one({"key": key})
    # Someone else's key reads as unknown: keys are not for probing.
    if pending is None or str(pending.uploader_user_id) != viewer.user_id:
        return AttachmentResult(
            errors=fail(ErrorCode.UPLOAD_NOT_FOUND, "No such upload.", "key")
        )
    if pending.status is AttachmentStatus.READY:
        return AttachmentResult(attachment=pending)
    info = await store.head(key)
    if info is None:
        return AttachmentResult(
            errors=fail(
                ErrorCode.UPLOAD_NOT_FOUND,
                "The file has not arrived yet: PUT it to the upload URL first.",
                "key",
            )
        )
    actual_type = normalise_content_type(info.content_type)
    if info.size != pending.size_bytes or actual_type != pending.content_type:
        # R2 enforces the signed headers; this catches anything that slipped
        # past them (or a store that does not check signatures).
        await store.delete(key)
        await Attachment.find_one(
            {"_id": pending.id, "status": AttachmentStatus.PENDING.value}
        ).delete()
        return AttachmentResult(
            errors=fail(
                ErrorCode.UPLOAD_MISMATCH,
                f"The uploaded file ({info.size} bytes, {actual_type or 'no type'}) "
                f"is not the one declared ({pending.size_bytes} bytes, "
                f"{pending.content_type}); it was deleted. Start a new upload.",
                "key",
            )
        )
    raw = await Attachment.get_pymongo_collection().find_one_and_update(
        {"_id": pending.id},
        {"$set": {"status": AttachmentStatus.READY.value, "completed_at": caller.now}},
        return_document=ReturnDocument.AFTER,
    )
    if raw is None:
        return AttachmentResult(
            errors=fail(ErrorCode.UPLOAD_NOT_FOUND, "No such upload.", "key")
        )
    attachment = Attachment.model_validate(raw)
    if attachment.purpose is UploadPurpose.WORKER_AVATAR:
        await _replace_avatar(store, attachment, caller.now)
    return AttachmentResult(attachment=attachment)


async def _replace_avatar(
    store: ObjectStore, avatar: Attachment, now: datetime
) -> None:
    """Point the worker at the new avatar, then delete the one it replaces."""
    before = await Worker.get_pymongo_collection().find_one_and_update(
        {"_id": avatar.owner_worker_id},
        {"$set": {"avatar_key": avatar.key, "updated_at": now}},
        projection={"avatar_key": True},
        return_document=ReturnDocument.BEFORE,
    )
    old_key = (before or {}).get("avatar_key")
    if old_key and old_key != avatar.key:
        try:
            await store.delete(old_key)
        except FileStorageUnavailableError as exc:
            # The new avatar is in place; the old object stays behind.
            log.warning("old avatar %s not deleted: %s", old_key, exc)
            return
        await Attachment.find_one({"key": old_key}).delete()
