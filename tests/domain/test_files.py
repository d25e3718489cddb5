from __future__ import annotations

import re

import pytest

from gigsta.domain.core import ErrorCode
from gigsta.domain.files import UploadLimits, UploadPurpose, object_key, validate_upload

MB = 1024 * 1024
LIMITS = UploadLimits()
P = UploadPurpose


@pytest.mark.parametrize(
    ("purpose", "content_type", "size", "codes"),
    [
        (P.BOOKING_PHOTO, "image/jpeg", 10 * MB, []),
        (P.BOOKING_PHOTO, "image/png", 1, []),
        (P.WORKER_AVATAR, "image/webp", 5 * MB, []),
        (P.WORKER_AVATAR, "IMAGE/PNG; charset=binary", 5, []),
        (P.WORKER_DOCUMENT, "application/pdf", 20 * MB, []),
        (P.BOOKING_PHOTO, "image/jpeg", 10 * MB + 1, [ErrorCode.FILE_TOO_LARGE]),
        (P.WORKER_DOCUMENT, "application/pdf", 20 * MB + 1, [ErrorCode.FILE_TOO_LARGE]),
        (P.BOOKING_PHOTO, "image/gif", 100, [ErrorCode.UNSUPPORTED_FILE_TYPE]),
        (P.BOOKING_PHOTO, "application/pdf", 100, [ErrorCode.UNSUPPORTED_FILE_TYPE]),
        (P.WORKER_DOCUMENT, "image/jpeg", 100, [ErrorCode.UNSUPPORTED_FILE_TYPE]),
        (P.WORKER_AVATAR, "text/html", 100, [ErrorCode.UNSUPPORTED_FILE_TYPE]),
        (P.BOOKING_PHOTO, "image/jpeg", 0, [ErrorCode.INVALID]),
        (
            P.WORKER_AVATAR,
            "image/svg+xml",
            11 * MB,
            [ErrorCode.UNSUPPORTED_FILE_TYPE, ErrorCode.FILE_TOO_LARGE],
        ),
    ],
)
def test_upload_rules(purpose, content_type, size, codes):
    errors = validate_upload(purpose, content_type, size, "photo.jpg", LIMITS)
    assert [e.code for e in errors] == codes


def test_limits_come_from_settings():
    small = UploadLimits(max_image_bytes=100, max_document_bytes=200)
    assert validate_upload(P.BOOKING_PHOTO, "image/png", 101, "a", small)
    assert not validate_upload(P.WORKER_DOCUMENT, "application/pdf", 200, "a", small)


def test_object_key_is_namespaced_and_ignores_the_filename():
    key = object_key(P.BOOKING_PHOTO, "65a1b2", "0" * 31 + "a", "image/jpeg")
    assert key == "booking-photos/65a1b2/" + "0" * 31 + "a.jpg"
    assert re.match(
        r"^worker-documents/w1/[0-9a-f]{32}\.pdf$",
        object_key(P.WORKER_DOCUMENT, "w1", "ab" * 16, "application/pdf"),
    )
    with pytest.raises(ValueError, match="32 lowercase hex"):
        object_key(P.BOOKING_PHOTO, "b1", "../../etc/passwd", "image/png")
