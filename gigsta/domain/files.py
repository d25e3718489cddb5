"""Upload rules: which files each purpose accepts, how large, and object keys."""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from enum import StrEnum
from types import MappingProxyType

from gigsta.domain.core import ErrorCode, UserError, length_errors, too_long


class UploadPurpose(StrEnum):
    BOOKING_PHOTO = "BOOKING_PHOTO"
    WORKER_AVATAR = "WORKER_AVATAR"
    WORKER_DOCUMENT = "WORKER_DOCUMENT"


IMAGE_TYPES: Mapping[str, str] = MappingProxyType(
    {"image/jpeg": "jpg", "image/png": "png", "image/webp": "webp"}
)
DOCUMENT_TYPES: Mapping[str, str] = MappingProxyType({"application/pdf": "pdf"})

ALLOWED_TYPES: Mapping[UploadPurpose, Mapping[str, str]] = MappingProxyType(
    {
        UploadPurpose.BOOKING_PHOTO: IMAGE_TYPES,
        UploadPurpose.WORKER_AVATAR: IMAGE_TYPES,
        UploadPurpose.WORKER_DOCUMENT: DOCUMENT_TYPES,
    }
)

KEY_PREFIX: Mapping[UploadPurpose, str] = MappingProxyType(
    {
        UploadPurpose.BOOKING_PHOTO: "booking-photos",
        UploadPurpose.WORKER_AVATAR: "worker-avatars",
        UploadPurpose.WORKER_DOCUMENT: "worker-documents",
    }
)

# Input limits of files (documented in docs/inputs.md).
MAX_FILENAME_LENGTH = 200
MAX_CONTENT_TYPE_LENGTH = 100
# Our keys are `<purpose>/<24 hex>/<32 hex>.<ext>`, under 100 characters.
MAX_KEY_LENGTH = 200
_RANDOM_RE = re.compile(r"^[0-9a-f]{32}$")


@dataclass(frozen=True, slots=True)
class UploadLimits:
    max_image_bytes: int = 10 * 1024 * 1024
    max_document_bytes: int = 20 * 1024 * 1024

    def max_bytes(self, purpose: UploadPurpose) -> int:
        if ALLOWED_TYPES[purpose] is DOCUMENT_TYPES:
            return self.max_document_bytes
        return self.max_image_bytes


def normalise_content_type(content_type: str) -> str:
    return content_type.split(";", 1)[0].strip().lower()


def validate_upload(
    purpose: UploadPurpose,
    content_type: str,
    size_bytes: int,
    filename: str,
    limits: UploadLimits,
) -> list[UserError]:
    errors: list[UserError] = []
    allowed = ALLOWED_TYPES[purpose]
    if len(content_type) > MAX_CONTENT_TYPE_LENGTH:
        errors.append(too_long("contentType", MAX_CONTENT_TYPE_LENGTH))
    elif normalise_content_type(content_type) not in allowed:
        errors.append(
            UserError(
                "contentType",
                ErrorCode.UNSUPPORTED_FILE_TYPE,
                f"A {purpose.value.replace('_', ' ').lower()} must be one of: "
                f"{', '.join(allowed)}.",
            )
        )
    limit = limits.max_bytes(purpose)
    if size_bytes <= 0:
        errors.append(
            UserError("sizeBytes", ErrorCode.INVALID, "The file must not be empty.")
        )
    elif size_bytes > limit:
        errors.append(
            UserError(
                "sizeBytes",
                ErrorCode.FILE_TOO_LARGE,
                f"The file is larger than the {limit // (1024 * 1024)} MB allowed.",
            )
        )
    if len(filename) > MAX_FILENAME_LENGTH:
        errors.append(too_long("filename", MAX_FILENAME_LENGTH))
    return errors


def validate_key(key: str) -> list[UserError]:
    return length_errors("key", key, MAX_KEY_LENGTH)


def object_key(
    purpose: UploadPurpose, owner_id: str, random_hex: str, content_type: str
) -> str:
    """`<purpose>/<owner>/<random>.<ext>`: never derived from the client's filename,
    so names cannot collide, traverse or leak; the owner scopes listing and cleanup.
    """
    if not _RANDOM_RE.match(random_hex):
        raise ValueError("random_hex must be 32 lowercase hex digits")
    extension = ALLOWED_TYPES[purpose][normalise_content_type(content_type)]
    return f"{KEY_PREFIX[purpose]}/{owner_id}/{random_hex}.{extension}"
