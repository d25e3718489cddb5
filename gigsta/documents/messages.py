"""Booking messages and each party's read marker."""

from __future__ import annotations

from datetime import datetime
from typing import TYPE_CHECKING, Any

from beanie import Document, PydanticObjectId

from gigsta.domain.bookings.actions import ActorRole

if TYPE_CHECKING:
    from collections.abc import Sequence

    from pymongo.asynchronous.client_session import AsyncClientSession


class BookingMessage(Document):
    """One message on a booking, stored as shown: trimmed, and with contact
    details already masked when it was sent before acceptance (so no later
    reader, export or notification can see what was masked)."""

    booking_id: PydanticObjectId
    sender_id: PydanticObjectId  # the sending `User`
    sender_role: ActorRole
    body: str
    masked: bool = False
    created_at: datetime

    class Settings:
        name = "booking_messages"


class MessageReadMarker(Document):
    """How far one party of a booking has read: messages created after
    `read_until` by anyone else are unread. Id: `<booking id>:<role>`."""

    id: str  # type: ignore[assignment]  # a composite key, not an ObjectId
    booking_id: PydanticObjectId
    role: ActorRole
    read_until: datetime

    class Settings:
        name = "message_read_markers"


def marker_id(booking_id: object, role: ActorRole) -> str:
    return f"{booking_id}:{role.value}"


async def insert_message(
    message: BookingMessage, session: AsyncClientSession | None = None
) -> BookingMessage:
    await message.insert(session=session)
    return message


async def mark_read(
    booking_id: PydanticObjectId, role: ActorRole, at: datetime
) -> None:
    """Move the party's marker forward to `at` (never back)."""
    await MessageReadMarker.get_pymongo_collection().update_one(
        {"_id": marker_id(booking_id, role)},
        {
            "$max": {"read_until": at},
            "$setOnInsert": {"booking_id": booking_id, "role": role.value},
        },
        upsert=True,
    )


async def unread_counts(
    booking_ids: Sequence[PydanticObjectId], role: ActorRole
) -> list[int]:
    """For each booking, the messages others wrote after `role`'s marker:
    two commands for any number of bookings."""
    markers = await MessageReadMarker.find(
        {"_id": {"$in": [marker_id(b, role) for b in set(booking_ids)]}}
    ).to_list()
    read = {m.booking_id: m.read_until for m in markers}
    unread_after: list[dict[str, Any]] = [
        {"booking_id": b, "created_at": {"$gt": read[b]}}
        if b in read
        else {"booking_id": b}
        for b in set(booking_ids)
    ]
    if not unread_after:
        return []
    pipeline: list[dict[str, Any]] = [
        {"$match": {"$or": unread_after, "sender_role": {"$ne": role.value}}},
        {"$group": {"_id": "$booking_id", "count": {"$sum": 1}}},
    ]
    cursor = await BookingMessage.get_pymongo_collection().aggregate(pipeline)
    counts = {row["_id"]: int(row["count"]) async for row in cursor}
    return [counts.get(b, 0) for b in booking_ids]
