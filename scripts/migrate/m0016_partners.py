"""Partners' API keys are found by their unique prefix; a partner's keys and
bookings are listed by partner."""

from __future__ import annotations

from typing import Any

from pymongo import ASCENDING, IndexModel
from pymongo.asynchronous.database import AsyncDatabase

KEY_INDEXES = [
    IndexModel([("prefix", ASCENDING)], unique=True, name="prefix_unique"),
    IndexModel([("partner_id", ASCENDING), ("_id", ASCENDING)], name="by_partner"),
]
BOOKING_INDEX = IndexModel(
    [("partner_id", ASCENDING), ("_id", ASCENDING)],
    name="by_partner",
    partialFilterExpression={"partner_id": {"$exists": True}},
)


async def up(db: AsyncDatabase[dict[str, Any]]) -> None:
    await db["api_keys"].create_indexes(KEY_INDEXES)
    await db["bookings"].create_indexes([BOOKING_INDEX])


async def down(db: AsyncDatabase[dict[str, Any]]) -> None:
    for index in KEY_INDEXES:
        await db["api_keys"].drop_index(index.document["name"])
    await db["bookings"].drop_index("by_partner")
