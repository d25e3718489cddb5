"""The domain event log (`events`): the outbox dispatcher finds due events by
status and time; live updates replay a booking's or a party's events after a
cursor in insertion order."""

from __future__ import annotations

from typing import Any

from pymongo import ASCENDING, IndexModel
from pymongo.asynchronous.database import AsyncDatabase

INDEXES = [
    IndexModel(
        [("outbox.status", ASCENDING), ("outbox.next_attempt_at", ASCENDING)],
        name="outbox_due",
    ),
    IndexModel([("booking_id", ASCENDING), ("_id", ASCENDING)], name="by_booking"),
    IndexModel([("customer_id", ASCENDING), ("_id", ASCENDING)], name="by_customer"),
    IndexModel([("worker_id", ASCENDING), ("_id", ASCENDING)], name="by_worker"),
]


async def up(db: AsyncDatabase[dict[str, Any]]) -> None:
    await db["events"].create_indexes(INDEXES)


async def down(db: AsyncDatabase[dict[str, Any]]) -> None:
    for index in INDEXES:
        await db["events"].drop_index(index.document["name"])
