"""Versioned migrations: the only place the database's shape (indexes) changes.

Each `mNNNN_<name>.py` module beside this file defines `async def up(db)` and,
where it makes sense, `async def down(db)`. Applied versions are recorded in the
`migrations` collection. A lease in `migrations_lock` serialises runners, so
`up` is safe to run twice and from two processes at once.
"""

from __future__ import annotations

import asyncio
import importlib
import pkgutil
import re
import socket
import uuid
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path
from types import ModuleType
from typing import Any

from pymongo.asynchronous.database import AsyncDatabase
from pymongo.errors import DuplicateKeyError

_MODULE_RE = re.compile(r"^m(\d{4})_(\w+)$")
LOCK_ID = "migrate"
LEASE = timedelta(minutes=5)
Database = AsyncDatabase[dict[str, Any]]


@dataclass(frozen=True)
class Migration:
    version: str
    name: str
    module: ModuleType

    async def up(self, db: Database) -> None:
        await self.module.up(db)

    @property
    def reversible(self) -> bool:
        return hasattr(self.module, "down")

    async def down(self, db: Database) -> None:
        await self.module.down(db)


def discover() -> list[Migration]:
    found = []
    for info in pkgutil.iter_modules([str(Path(__file__).parent)]):
        match = _MODULE_RE.match(info.name)
        if match:
            module = importlib.import_module(f"{__name__}.{info.name}")
            found.append(Migration(match.group(1), match.group(2), module))
    found.sort(key=lambda m: m.version)
    versions = [m.version for m in found]
    if len(set(versions)) != len(versions):
        raise RuntimeError(f"duplicate migration versions: {versions}")
    return found


class MigrationLock:
    """A lease held in one document; it expires if its holder dies."""

    def __init__(self, db: Database, *, wait_seconds: float = 120) -> None:
        self.db = db
        self.owner = f"{socket.gethostname()}:{uuid.uuid4().hex}"
        self.wait_seconds = wait_seconds

    async def __aenter__(self) -> MigrationLock:
        locks = self.db["migrations_lock"]
        deadline = asyncio.get_running_loop().time() + self.wait_seconds
        while True:
            now = datetime.now(UTC)
            try:
                # Matches a missing or expired lease; on a live lease the filter
                # misses, the upsert collides on `_id`, and we wait our turn.
                await locks.find_one_and_update(
                    {"_id": LOCK_ID, "expires_at": {"$lt": now}},
                    {"$set": {"owner": self.owner, "expires_at": now + LEASE}},
                    upsert=True,
                )
            except DuplicateKeyError:
                if asyncio.get_running_loop().time() > deadline:
                    raise TimeoutError("another migration run holds the lock") from None
            else:
                return self
            await asyncio.sleep(0.2)

    async def __aexit__(self, *exc: object) -> None:
        await self.db["migrations_lock"].update_one(
            {"_id": LOCK_ID, "owner": self.owner},
            {"$set": {"expires_at": datetime.fromtimestamp(0, UTC)}},
        )


async def applied_versions(db: Database) -> dict[str, dict[str, Any]]:
    return {doc["_id"]: doc async for doc in db["migrations"].find({})}


async def migrate_up(db: Database, *, target: str | None = None) -> list[str]:
    """Apply pending migrations in order (up to `target`); returns those applied."""
    done: list[str] = []
    async with MigrationLock(db):
        applied = await applied_versions(db)
        for migration in discover():
            if target is not None and migration.version > target:
                break
            if migration.version in applied:
                continue
            await migration.up(db)
            await db["migrations"].insert_one(
                {
                    "_id": migration.version,
                    "name": migration.name,
                    "applied_at": datetime.now(UTC),
                }
            )
            done.append(migration.version)
    return done


async def migrate_down(db: Database, *, steps: int = 1) -> list[str]:
    """Revert the latest `steps` applied migrations; returns those reverted."""
    undone: list[str] = []
    async with MigrationLock(db):
        applied = await applied_versions(db)
        for migration in reversed(discover()):
            if len(undone) >= steps:
                break
            if migration.version not in applied:
                continue
            if not migration.reversible:
                raise RuntimeError(f"migration {migration.version} cannot be reverted")
            await migration.down(db)
            await db["migrations"].delete_one({"_id": migration.version})
            undone.append(migration.version)
    return undone


async def migration_status(db: Database) -> list[tuple[Migration, datetime | None]]:
    applied = await applied_versions(db)
    return [
        (m, applied[m.version]["applied_at"] if m.version in applied else None)
        for m in discover()
    ]
