"""Bookings: newest-first listings per party, and the sweeper's due queries."""

from __future__ import annotations

from typing import Any

from pymongo import ASCENDING, DESCENDING, IndexModel
from pymongo.asynchronous.database import AsyncDatabase

INDEXES = [
    IndexModel(
        [("customer_id", ASCENDING), ("created_at", DESCENDING), ("_id", DESCENDING)],
        name="customer_newest",
    ),
    IndexModel(
        [("worker_id", ASCENDING), ("created_at", DESCENDING), ("_id", DESCENDING)],
        name="worker_newest",
    ),
    IndexModel([("created_at", DESCENDING), ("_id", DESCENDING)], name="newest"),
    IndexModel(
        [("status", ASCENDING), ("created_at", ASCENDING)], name="status_created"
    ),
    IndexModel(
        [("status", ASCENDING), ("scheduled_start", ASCENDING)], name="status_start"
    ),
    IndexModel(
        [("status", ASCENDING), ("completed_at", ASCENDING)], name="status_completed"
    ),
]


async def up(db: AsyncDatabase[dict[str, Any]]) -> None:
    await db["bookings"].create_indexes(INDEXES)


async def down(db: AsyncDatabase[dict[str, Any]]) -> None:
    for index in INDEXES:
        await db["bookings"].drop_index(index.document["name"])
