"""MongoDB connection and Beanie initialisation.

Indexes are created by `scripts/migrate` only, so Beanie is initialised with
`skip_indexes=True` and app start-up never changes the database's shape.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from beanie import init_beanie
from pymongo import AsyncMongoClient

from gigsta.documents import DOCUMENT_MODELS

if TYPE_CHECKING:
    from pymongo.asynchronous.database import AsyncDatabase
    from pymongo.monitoring import CommandListener


def connect(
    uri: str, *, listeners: list[CommandListener] | None = None
) -> AsyncMongoClient[dict[str, Any]]:
    return AsyncMongoClient(
        uri,
        tz_aware=True,
        serverSelectionTimeoutMS=5000,
        appname="gigsta",
        event_listeners=listeners or [],
    )


async def init_documents(database: AsyncDatabase[dict[str, Any]]) -> None:
    await init_beanie(
        database=database, document_models=list(DOCUMENT_MODELS), skip_indexes=True
    )


async def ping(client: AsyncMongoClient[dict[str, Any]]) -> bool:
    await client.admin.command("ping")
    return True
