"""Accounts: every user carries a token version (0 to start), which sign-out
everywhere increments to revoke the tokens issued before."""

from __future__ import annotations

from typing import Any

from pymongo.asynchronous.database import AsyncDatabase


async def up(db: AsyncDatabase[dict[str, Any]]) -> None:
    await db["users"].update_many(
        {"token_version": {"$exists": False}}, {"$set": {"token_version": 0}}
    )


async def down(db: AsyncDatabase[dict[str, Any]]) -> None:
    await db["users"].update_many({}, {"$unset": {"token_version": ""}})
