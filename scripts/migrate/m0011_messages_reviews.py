"""Booking messages (read oldest first per booking) and reviews (one per
booking and side; read newest first per worker or customer)."""

from __future__ import annotations

from typing import Any

from pymongo import ASCENDING, DESCENDING, IndexModel
from pymongo.asynchronous.database import AsyncDatabase

MESSAGES = [
    IndexModel(
        [("booking_id", ASCENDING), ("created_at", ASCENDING), ("_id", ASCENDING)],
        name="booking_time",
    )
]
REVIEWS = [
    # One review per booking and author: a second submit is a duplicate key.
    IndexModel(
        [("booking_id", ASCENDING), ("author_role", ASCENDING)],
        unique=True,
        name="one_per_side",
    ),
    IndexModel(
        [
            ("worker_id", ASCENDING),
            ("author_role", ASCENDING),
            ("created_at", DESCENDING),
            ("_id", DESCENDING),
        ],
        name="worker_newest",
    ),
    IndexModel(
        [
            ("customer_id", ASCENDING),
            ("author_role", ASCENDING),
            ("created_at", DESCENDING),
            ("_id", DESCENDING),
        ],
        name="customer_newest",
    ),
]


async def up(db: AsyncDatabase[dict[str, Any]]) -> None:
    await db["booking_messages"].create_indexes(MESSAGES)
    await db["reviews"].create_indexes(REVIEWS)


async def down(db: AsyncDatabase[dict[str, Any]]) -> None:
    await db["booking_messages"].drop_index("booking_time")
    for index in ("one_per_side", "worker_newest", "customer_newest"):
        await db["reviews"].drop_index(index)
