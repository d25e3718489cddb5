"""Attachments: one document per uploaded file (booking photos, worker
documents, avatars), with its upload status and owner."""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum

from beanie import Document, PydanticObjectId

from gigsta.domain.files import UploadPurpose


class AttachmentStatus(StrEnum):
    PENDING = "pending"  # a PUT URL was handed out; the bytes are not checked yet
    READY = "ready"  # `completeUpload` checked the object with HEAD


class Attachment(Document):
    """A file in the bucket. Created `pending` by `createUpload` (so completion
    can check the declared size and type and who uploaded it) and made `ready`
    by `completeUpload`; `key` is unique (migration 0004).
    """

    key: str
    purpose: UploadPurpose
    status: AttachmentStatus = AttachmentStatus.PENDING
    uploader_user_id: PydanticObjectId
    owner_worker_id: PydanticObjectId | None = None
    booking_id: PydanticObjectId | None = None
    content_type: str
    size_bytes: int
    filename: str
    created_at: datetime
    completed_at: datetime | None = None

    class Settings:
        name = "attachments"
