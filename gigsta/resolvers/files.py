"""Files on R2: presigned uploads, completion checks, downloads and deletion.

`createUpload` records a pending `Attachment` (who uploads what, declared size
and type) and hands out a presigned PUT; `completeUpload` checks the object
with HEAD against that record before marking it ready.
"""

from __future__ import annotations

import logging
import secrets
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from beanie import PydanticObjectId, SortDirection
from pymongo import ReturnDocument

from gigsta.documents import Attachment, Booking, Worker
from gigsta.documents.files import AttachmentStatus
from gigsta.domain.accounts import SIGN_IN_FIRST, Role, Viewer, own_profile_id
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

log = logging.getLogger(__name__)


@dataclass
class UploadResult:
    upload_url: str | None = None
    key: str | None = None
    expires_at: datetime | None = None
    headers: dict[str, str] = field(default_factory=dict)
    errors: list[UserError] = field(default_factory=list)


@dataclass
class AttachmentResult:
    attachment: Attachment | None = None
    errors: list[UserError] = field(default_factory=list)


def _fail(
    code: ErrorCode, message: str, field_name: str | None = None
) -> list[UserError]:
    return [UserError(field_name, code, message)]


_OLDEST_FIRST = [
    ("created_at", SortDirection.ASCENDING),
    ("_id", SortDirection.ASCENDING),
]
_STORAGE_OFF = "File storage is not configured on this server."
_STORAGE_DOWN = (
    "File storage is unavailable at the moment; nothing was changed. "
    "Try again in a few minutes."
)


@dataclass(frozen=True, slots=True)
class FilesCaller:
    """What every files mutation works with: who asks, the object store (None:
    not configured on this server) and the request's time."""

    viewer: Viewer | None
    store: ObjectStore | None
    now: datetime

    def ready(
        self, input_errors: list[UserError]
    ) -> tuple[Viewer, ObjectStore] | list[UserError]:
        """The signed-in viewer and the store, or why the mutation cannot go
        on: signed out, then `input_errors`, then no storage configured."""
        if self.viewer is None:
            return [SIGN_IN_FIRST]
        if input_errors:
            return input_errors
        if self.store is None:
            return _fail(ErrorCode.FILE_STORAGE_UNAVAILABLE, _STORAGE_OFF)
        return self.viewer, self.store


def _storage_down(exc: FileStorageUnavailableError) -> list[UserError]:
    log.warning("file storage unavailable: %s", exc)
    return [UserError(None, ErrorCode.FILE_STORAGE_UNAVAILABLE, _STORAGE_DOWN)]


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
                _fail(ErrorCode.NOT_FOUND, "Booking not found.", "bookingId"),
            )
        return booking.id, None, []
    if booking_id is not None:
        return (
            None,
            None,
            _fail(
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
        return AttachmentResult(errors=_storage_down(exc))


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
            errors=_fail(ErrorCode.UPLOAD_NOT_FOUND, "No such upload.", "key")
        )
    if pending.status is AttachmentStatus.READY:
        return AttachmentResult(attachment=pending)
    info = await store.head(key)
    if info is None:
        return AttachmentResult(
            errors=_fail(
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
            errors=_fail(
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
            errors=_fail(ErrorCode.UPLOAD_NOT_FOUND, "No such upload.", "key")
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
    grouped: dict[PydanticObjectId, list[Attachment]] = {}
    for doc in docs:
        grouped.setdefault(getattr(doc, field), []).append(doc)
    return [grouped.get(key, []) for key in keys]


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
            errors=_fail(ErrorCode.NOT_FOUND, "Attachment not found.", "id")
        )
    if not (
        viewer.role is Role.ADMIN or str(attachment.uploader_user_id) == viewer.user_id
    ):
        return AttachmentResult(
            errors=_fail(
                ErrorCode.NOT_ALLOWED, "Only the uploader or an admin may delete it."
            )
        )
    # The object first: a failure leaves the record, so the delete can be retried.
    try:
        await store.delete(attachment.key)
    except FileStorageUnavailableError as exc:
        return AttachmentResult(errors=_storage_down(exc))
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
