"""Bookings: an admin's page filtered by status (`bookings(status:)` as an
admin, across every party) reads one index range, newest first. The sweeper's
`status_created` index has no `_id` after `created_at`, so on MongoDB that page
was a blocking sort of every booking in the status."""

from __future__ import annotations

from typing import Any

from pymongo import ASCENDING, DESCENDING, IndexModel
from pymongo.asynchronous.database import AsyncDatabase

INDEX = IndexModel(
    [("status", ASCENDING), ("created_at", DESCENDING), ("_id", DESCENDING)],
    name="status_newest",
)


async def up(db: AsyncDatabase[dict[str, Any]]) -> None:
    await db["bookings"].create_indexes([INDEX])


async def down(db: AsyncDatabase[dict[str, Any]]) -> None:
    await db["bookings"].drop_index(INDEX.document["name"])
