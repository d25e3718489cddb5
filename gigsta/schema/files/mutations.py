"""Files' mutations on R2: `createUpload`, `completeUpload`, `deleteAttachment`."""

from __future__ import annotations

from dataclasses import asdict
from datetime import datetime, timedelta

import strawberry

from gigsta.domain.files import MAX_FILENAME_LENGTH, UploadLimits
from gigsta.resolvers import files
from gigsta.schema.core.context import Info
from gigsta.schema.core.enums import UploadPurpose
from gigsta.schema.core.errors import UserError, user_errors
from gigsta.schema.files.types import Attachment


@strawberry.input
class CreateUploadInput:
    purpose: UploadPurpose
    booking_id: strawberry.ID | None = strawberry.field(
        default=None, description="Required for BOOKING_PHOTO."
    )
    content_type: str = strawberry.field(
        description="image/jpeg, image/png, image/webp; application/pdf for documents."
    )
    size_bytes: int = strawberry.field(
        description="Exact size: the upload URL is signed for it."
    )
    filename: str = strawberry.field(
        description=f"Kept for display only; at most {MAX_FILENAME_LENGTH} characters."
    )


@strawberry.type
class HttpHeader:
    name: str
    value: str


@strawberry.type
class CreateUploadPayload:
    upload_url: str | None = strawberry.field(
        description="PUT the bytes here with exactly `headers`, within 15 minutes."
    )
    key: str | None = strawberry.field(description="Pass to `completeUpload`.")
    expires_at: datetime | None
    headers: list[HttpHeader]
    errors: list[UserError]


@strawberry.type
class AttachmentPayload:
    attachment: Attachment | None
    errors: list[UserError]


def _caller(info: Info) -> files.FilesCaller:
    context = info.context
    return files.FilesCaller(context.viewer, context.runtime.files, context.now)


def _attachment_payload(result: files.AttachmentResult) -> AttachmentPayload:
    return AttachmentPayload(
        attachment=Attachment(doc=result.attachment) if result.attachment else None,
        errors=user_errors(result.errors),
    )


@strawberry.type
class FilesMutation:
    @strawberry.mutation(
        description="A presigned PUT URL for one file (photo, avatar or document)."
    )
    async def create_upload(
        self, info: Info, input: CreateUploadInput
    ) -> CreateUploadPayload:
        settings = info.context.runtime.settings
        result = await files.create_upload(
            _caller(info),
            **asdict(input),
            limits=UploadLimits(
                max_image_bytes=settings.upload_max_image_bytes,
                max_document_bytes=settings.upload_max_document_bytes,
            ),
            url_ttl=timedelta(seconds=settings.upload_url_ttl_seconds),
        )
        return CreateUploadPayload(
            upload_url=result.upload_url,
            key=result.key,
            expires_at=result.expires_at,
            headers=[HttpHeader(name=k, value=v) for k, v in result.headers.items()],
            errors=user_errors(result.errors),
        )

    @strawberry.mutation(
        description="Check an uploaded file and record it (idempotent per key)."
    )
    async def complete_upload(self, info: Info, key: str) -> AttachmentPayload:
        result = await files.complete_upload(_caller(info), key=key)
        return _attachment_payload(result)

    @strawberry.mutation(description="Delete a file and its stored object.")
    async def delete_attachment(
        self, info: Info, id: strawberry.ID
    ) -> AttachmentPayload:
        result = await files.delete_attachment(_caller(info), attachment_id=id)
        return _attachment_payload(result)
