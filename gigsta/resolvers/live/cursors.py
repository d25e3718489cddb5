"""Cursors of live events: the change stream's resume token, made opaque.

A resume token names a position in the database's own log of changes, the
same on every instance, so a cursor received from one instance resumes on
any other, exactly after the event it came with.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from gigsta.resolvers.core.pagination import (
    InvalidCursorError,
    decode_cursor,
    encode_cursor,
)

_KIND = "event"


def encode_event_cursor(resume_token: Mapping[str, Any]) -> str:
    return encode_cursor(_KIND, [dict(resume_token)])


def decode_event_cursor(cursor: str) -> dict[str, Any]:
    """The resume token in `cursor`; `InvalidCursorError` for anything else."""
    (token,) = decode_cursor(_KIND, cursor, size=1)
    if not (
        isinstance(token, dict)
        and token
        and all(isinstance(k, str) and isinstance(v, str) for k, v in token.items())
    ):
        raise InvalidCursorError("The cursor is not valid.")
    return token
