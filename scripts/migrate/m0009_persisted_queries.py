"""Persisted GraphQL documents expire 30 days after registration (TTL), so
the collection holds what clients sent recently, not everything ever sent."""

from __future__ import annotations

from typing import Any

from pymongo import ASCENDING, IndexModel
from pymongo.asynchronous.database import AsyncDatabase

RETENTION_SECONDS = 30 * 24 * 3600

INDEX = IndexModel(
    [("registered_at", ASCENDING)],
    expireAfterSeconds=RETENTION_SECONDS,
    name="registered_at_ttl",
)


async def up(db: AsyncDatabase[dict[str, Any]]) -> None:
    await db["persisted_queries"].create_indexes([INDEX])


async def down(db: AsyncDatabase[dict[str, Any]]) -> None:
    await db["persisted_queries"].drop_index("registered_at_ttl")
