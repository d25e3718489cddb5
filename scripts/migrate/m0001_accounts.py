"""Accounts: unique (normalised) emails, one profile per user."""

from __future__ import annotations

from typing import Any

from pymongo import ASCENDING, IndexModel
from pymongo.asynchronous.database import AsyncDatabase


async def up(db: AsyncDatabase[dict[str, Any]]) -> None:
    await db["users"].create_indexes(
        [IndexModel([("email", ASCENDING)], unique=True, name="email_unique")]
    )
    for collection in ("customers", "workers"):
        await db[collection].create_indexes(
            [IndexModel([("user_id", ASCENDING)], unique=True, name="user_id_unique")]
        )


async def down(db: AsyncDatabase[dict[str, Any]]) -> None:
    await db["users"].drop_index("email_unique")
    for collection in ("customers", "workers"):
        await db[collection].drop_index("user_id_unique")
