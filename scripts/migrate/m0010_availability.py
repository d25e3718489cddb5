"""Availability: find a worker's bookings that hold time in a window (for
`availableSlots`, the busy check and the `availableAt` filter), and give
every booking that holds time today its claim on the worker's calendar.

Bookings requested before availability existed may overlap one another; the
backfill claims them oldest request first and leaves a later overlapping one
unclaimed: it stays as it is, and the worker can accept only one of them
(`accept` claims the time, see `gigsta.resolvers.availability`).
"""

from __future__ import annotations

from typing import Any

from pymongo import ASCENDING, IndexModel
from pymongo.asynchronous.database import AsyncDatabase

from gigsta.domain.availability import HOLDING_STATUSES

INDEX = IndexModel(
    [("worker_id", ASCENDING), ("status", ASCENDING), ("scheduled_start", ASCENDING)],
    name="worker_status_start",
)


async def up(db: AsyncDatabase[dict[str, Any]]) -> None:
    await db["bookings"].create_indexes([INDEX])
    calendars = db["worker_calendars"]
    holding = {"status": {"$in": sorted(s.value for s in HOLDING_STATUSES)}}
    projection = {"worker_id": 1, "scheduled_start": 1, "scheduled_end": 1}
    cursor = db["bookings"].find(holding, projection).sort("created_at", ASCENDING)
    async for booking in cursor:
        start, end = booking["scheduled_start"], booking["scheduled_end"]
        claim = {"booking_id": booking["_id"], "start": start, "end": end}
        await calendars.update_one(
            {"_id": booking["worker_id"]}, {"$setOnInsert": {"claims": []}}, upsert=True
        )
        await calendars.update_one(
            {
                "_id": booking["worker_id"],
                "claims": {
                    "$not": {
                        "$elemMatch": {"start": {"$lt": end}, "end": {"$gt": start}}
                    }
                },
                "claims.booking_id": {"$ne": booking["_id"]},
            },
            {"$push": {"claims": {**claim, "at": booking["_id"].generation_time}}},
        )


async def down(db: AsyncDatabase[dict[str, Any]]) -> None:
    await db["bookings"].drop_index(INDEX.document["name"])
    await db["worker_calendars"].drop()
