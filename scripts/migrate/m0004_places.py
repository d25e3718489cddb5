"""Places and files: workers found by service area; attachments by key and owner."""

from __future__ import annotations

from typing import Any

from pymongo import ASCENDING, DESCENDING, GEOSPHERE, IndexModel
from pymongo.asynchronous.database import AsyncDatabase

WORKER_INDEXES = [
    # `$geoNear` needs a 2dsphere index on the key it searches.
    IndexModel([("base_address.location", GEOSPHERE)], name="base_location_2dsphere"),
]
ATTACHMENT_INDEXES = [
    # One attachment per object: completing a key twice finds the same document.
    IndexModel([("key", ASCENDING)], name="key_unique", unique=True),
    IndexModel(
        [("booking_id", ASCENDING), ("status", ASCENDING), ("created_at", ASCENDING)],
        name="booking_files",
    ),
    IndexModel(
        [
            ("owner_worker_id", ASCENDING),
            ("purpose", ASCENDING),
            ("created_at", DESCENDING),
        ],
        name="worker_files",
    ),
]


async def up(db: AsyncDatabase[dict[str, Any]]) -> None:
    await db["workers"].create_indexes(WORKER_INDEXES)
    await db["attachments"].create_indexes(ATTACHMENT_INDEXES)


async def down(db: AsyncDatabase[dict[str, Any]]) -> None:
    for index in WORKER_INDEXES:
        await db["workers"].drop_index(index.document["name"])
    for index in ATTACHMENT_INDEXES:
        await db["attachments"].drop_index(index.document["name"])
