"""Bookings: a party's page filtered by status (`bookings(status:)` of a
worker or customer, and the worker's own page, which lists the statuses a
worker may see) reads one index range per status, newest first."""

from __future__ import annotations

from typing import Any

from pymongo import ASCENDING, DESCENDING, IndexModel
from pymongo.asynchronous.database import AsyncDatabase

INDEXES = [
    IndexModel(
        [
            ("worker_id", ASCENDING),
            ("status", ASCENDING),
            ("created_at", DESCENDING),
            ("_id", DESCENDING),
        ],
        name="worker_status_newest",
    ),
    IndexModel(
        [
            ("customer_id", ASCENDING),
            ("status", ASCENDING),
            ("created_at", DESCENDING),
            ("_id", DESCENDING),
        ],
        name="customer_status_newest",
    ),
]


async def up(db: AsyncDatabase[dict[str, Any]]) -> None:
    await db["bookings"].create_indexes(INDEXES)


async def down(db: AsyncDatabase[dict[str, Any]]) -> None:
    for index in INDEXES:
        await db["bookings"].drop_index(index.document["name"])
