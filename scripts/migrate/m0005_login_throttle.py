"""Sign-in throttling: failure windows expire on their own (TTL)."""

from __future__ import annotations

from typing import Any

from pymongo import ASCENDING, IndexModel
from pymongo.asynchronous.database import AsyncDatabase

INDEX = IndexModel(
    [("window_start", ASCENDING)], expireAfterSeconds=3600, name="window_ttl"
)


async def up(db: AsyncDatabase[dict[str, Any]]) -> None:
    await db["login_failures"].create_indexes([INDEX])


async def down(db: AsyncDatabase[dict[str, Any]]) -> None:
    await db["login_failures"].drop_index("window_ttl")
