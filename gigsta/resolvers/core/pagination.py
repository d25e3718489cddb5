"""Opaque cursors and page sizes for cursor connections."""

from __future__ import annotations

import base64
import binascii
import json
from dataclasses import dataclass
from typing import Any, Generic, TypeVar

from gigsta.domain.core import ClientError, ErrorCode

T = TypeVar("T")

MAX_PAGE_SIZE = 100
DEFAULT_PAGE_SIZE = 20
# Our cursors are under 100 characters; a longer one was not made by us.
MAX_CURSOR_LENGTH = 500


class InvalidCursorError(ClientError):
    def __init__(self, message: str) -> None:
        super().__init__(ErrorCode.BAD_USER_INPUT, message)


def encode_cursor(kind: str, values: list[Any]) -> str:
    raw = json.dumps([kind, *values], separators=(",", ":")).encode()
    return base64.urlsafe_b64encode(raw).decode().rstrip("=")


def decode_cursor(kind: str, cursor: str, size: int | None = None) -> list[Any]:
    """The values of a cursor of `kind` (exactly `size` of them, if given).

    Anything else is an `InvalidCursorError` that says nothing of the format.
    """
    if len(cursor) > MAX_CURSOR_LENGTH:
        raise InvalidCursorError("The cursor is not valid.")
    try:
        padded = cursor + "=" * (-len(cursor) % 4)
        data = json.loads(base64.urlsafe_b64decode(padded.encode()))
    except (binascii.Error, ValueError, UnicodeDecodeError) as exc:
        raise InvalidCursorError("The cursor is not valid.") from exc
    if not isinstance(data, list) or not data or data[0] != kind:
        raise InvalidCursorError("The cursor is not valid for this list.")
    if size is not None and len(data) != size + 1:
        raise InvalidCursorError("The cursor is not valid.")
    return data[1:]


def page_size(first: int | None) -> int:
    if first is None:
        return DEFAULT_PAGE_SIZE
    if first < 0:
        raise InvalidCursorError("`first` must not be negative.")
    return min(first, MAX_PAGE_SIZE)


@dataclass
class Page(Generic[T]):
    items: list[tuple[T, str]]
    has_next_page: bool

    @property
    def end_cursor(self) -> str | None:
        return self.items[-1][1] if self.items else None
