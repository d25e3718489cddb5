"""Outbox deliveries (`deliveries`): one per event, channel and recipient (the
unique index makes the dispatcher's fan-out idempotent); the dispatcher finds
due ones by status and time; a booking's deliveries can be listed."""

from __future__ import annotations

from typing import Any

from pymongo import ASCENDING, IndexModel
from pymongo.asynchronous.database import AsyncDatabase

INDEXES = [
    IndexModel(
        [("event_id", ASCENDING), ("channel", ASCENDING), ("recipient", ASCENDING)],
        name="one_per_recipient",
        unique=True,
    ),
    IndexModel(
        [("status", ASCENDING), ("next_attempt_at", ASCENDING)], name="delivery_due"
    ),
    IndexModel([("booking_id", ASCENDING), ("_id", ASCENDING)], name="by_booking"),
]


async def up(db: AsyncDatabase[dict[str, Any]]) -> None:
    await db["deliveries"].create_indexes(INDEXES)


async def down(db: AsyncDatabase[dict[str, Any]]) -> None:
    for index in INDEXES:
        await db["deliveries"].drop_index(index.document["name"])
