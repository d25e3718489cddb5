"""What every files mutation shares: its caller, its results and its
refusals (signed out, no storage configured, storage unreachable)."""

from __future__ import annotations

import logging
from dataclasses import dataclass, field
from datetime import datetime

from gigsta.documents import Attachment
from gigsta.domain.accounts import SIGN_IN_FIRST, Viewer
from gigsta.domain.core import ErrorCode, UserError
from gigsta.integrations.r2 import FileStorageUnavailableError, ObjectStore

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


def fail(
    code: ErrorCode, message: str, field_name: str | None = None
) -> list[UserError]:
    return [UserError(field_name, code, message)]


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
            return fail(ErrorCode.FILE_STORAGE_UNAVAILABLE, _STORAGE_OFF)
        return self.viewer, self.store


def storage_down(exc: FileStorageUnavailableError) -> list[UserError]:
    log.warning("file storage unavailable: %s", exc)
    return [UserError(None, ErrorCode.FILE_STORAGE_UNAVAILABLE, _STORAGE_DOWN)]
