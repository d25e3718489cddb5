"""Shared rate-limit counters expire with their window (TTL)."""

from __future__ import annotations

from typing import Any

from pymongo import ASCENDING, IndexModel
from pymongo.asynchronous.database import AsyncDatabase

INDEX = IndexModel(
    [("expires_at", ASCENDING)], expireAfterSeconds=0, name="expires_ttl"
)


async def up(db: AsyncDatabase[dict[str, Any]]) -> None:
    await db["rate_limits"].create_indexes([INDEX])


async def down(db: AsyncDatabase[dict[str, Any]]) -> None:
    await db["rate_limits"].drop_index("expires_ttl")
