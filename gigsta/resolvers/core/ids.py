"""Document ids read from clients."""

from __future__ import annotations

from beanie import PydanticObjectId
from bson.errors import InvalidId


def parse_object_id(value: str) -> PydanticObjectId | None:
    """An id from a client, or None when it cannot name any document."""
    try:
        return PydanticObjectId(value)
    except (InvalidId, TypeError, ValueError):
        return None
