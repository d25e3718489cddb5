"""Files' mutations on R2: `createUpload`, `completeUpload`, `deleteAttachment`."""

from __future__ import annotations

from datetime import datetime, timedelta

import strawberry

from gigsta.domain.files import MAX_FILENAME_LENGTH, MAX_KEY_LENGTH, UploadLimits
from gigsta.resolvers.files import caller, cleanup, uploads
from gigsta.schema.core.context import Info
from gigsta.schema.core.enums import UploadPurpose
from gigsta.schema.core.errors import UserError, errors_field, user_errors
from gigsta.schema.core.mutations import input_fields, input_id, mutation
from gigsta.schema.files.types import Attachment
from gigsta.schema.payloads import result_field, shown


@strawberry.input(description="The file the client is about to upload.")
class CreateUploadInput:
    purpose: UploadPurpose = strawberry.field(
        description="What the file is for: decides types, size limit and access."
    )
    booking_id: strawberry.ID | None = strawberry.field(
        default=None,
        description="The `Booking.id`; required for BOOKING_PHOTO (INVALID when "
        "it is not a booking's id).",
    )
    content_type: str = strawberry.field(
        description="image/jpeg, image/png, image/webp; application/pdf for documents."
    )
    size_bytes: int = strawberry.field(
        description="Exact size in bytes: the upload URL is signed for it "
        "(FILE_TOO_LARGE over the purpose's limit)."
    )
    filename: str = strawberry.field(
        description=f"Kept for display only; at most {MAX_FILENAME_LENGTH} characters."
    )


@strawberry.type(description="An HTTP header the upload request must carry.")
class HttpHeader:
    name: str = strawberry.field(description="The header's name, e.g. `Content-Type`.")
    value: str = strawberry.field(description="Its exact value.")


@strawberry.type(description="The result of `createUpload`.")
class CreateUploadPayload:
    upload_url: str | None = strawberry.field(
        default=None,
        description="PUT the bytes here with exactly `headers`, before `expiresAt`.",
    )
    key: str | None = strawberry.field(
        default=None, description="Pass to `completeUpload`."
    )
    expires_at: datetime | None = strawberry.field(
        default=None,
        description="When `uploadUrl` stops working (15 minutes by default).",
    )
    headers: list[HttpHeader] = strawberry.field(
        default_factory=list,
        description="The headers the PUT must send, no more and no fewer (empty "
        "when `errors` is not).",
    )
    errors: list[UserError] = errors_field("Why no upload was started")


@strawberry.type(description="The result of `completeUpload` or `deleteAttachment`.")
class AttachmentPayload:
    attachment: Attachment | None = result_field(
        "The file recorded, or the one deleted"
    )
    errors: list[UserError] = errors_field("Why nothing changed")


def _caller(info: Info) -> caller.FilesCaller:
    context = info.context
    return caller.FilesCaller(context.viewer, context.runtime.files, context.now)


def _attachment_payload(result: caller.AttachmentResult) -> AttachmentPayload:
    return AttachmentPayload(
        attachment=shown(Attachment, result.attachment),
        errors=user_errors(result.errors),
    )


@strawberry.type
class FilesMutation:
    @mutation(
        "A presigned PUT URL for one file (photo, avatar or document).",
        "The file to upload.",
    )
    async def create_upload(
        self, info: Info, input: CreateUploadInput
    ) -> CreateUploadPayload:
        settings = info.context.runtime.settings
        result = await uploads.create_upload(
            _caller(info),
            **input_fields(input, booking_id="Booking"),
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

    @mutation(
        "Check an uploaded file and record it (idempotent per key).",
        f"The `key` from `createUpload`; at most {MAX_KEY_LENGTH} characters.",
    )
    async def complete_upload(self, info: Info, key: str) -> AttachmentPayload:
        result = await uploads.complete_upload(_caller(info), key=key)
        return _attachment_payload(result)

    @mutation(
        "Delete a file and its stored object: its uploader or an admin.",
        "The `Attachment.id` (INVALID when it is not one).",
    )
    async def delete_attachment(
        self, info: Info, id: strawberry.ID
    ) -> AttachmentPayload:
        attachment_id = input_id(id, Attachment, "id")
        result = await cleanup.delete_attachment(
            _caller(info), attachment_id=str(attachment_id)
        )
        return _attachment_payload(result)
