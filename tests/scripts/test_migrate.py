"""Migrations: up, down, status, idempotent, and safe from two processes at once."""

from __future__ import annotations

import asyncio
import secrets
import sys

import pytest
from pymongo import AsyncMongoClient
from pymongo.errors import DuplicateKeyError

from scripts.migrate import discover, migrate_down, migrate_up, migration_status
from tests.conftest import run_cli

ALL = [m.version for m in discover()]


@pytest.fixture
async def fresh_db(settings):
    client = AsyncMongoClient(settings.mongodb_uri, tz_aware=True)
    name = f"gigsta_migrate_{secrets.token_hex(4)}"
    try:
        yield client[name]
    finally:
        await client.drop_database(name)
        await client.close()


async def index_names(db, collection: str) -> set[str]:
    return {ix["name"] async for ix in await db[collection].list_indexes()}


def test_versions_are_ordered_and_start_with_the_foundation():
    assert ALL[:2] == ["0001", "0002"]
    assert sorted(ALL) == ALL


async def test_up_down_status(fresh_db):
    assert [applied for _, applied in await migration_status(fresh_db)] == [None] * len(
        ALL
    )
    assert await migrate_up(fresh_db) == ALL
    assert await migrate_up(fresh_db) == []  # running up twice is a no-op
    assert all(applied is not None for _, applied in await migration_status(fresh_db))
    assert "email_unique" in await index_names(fresh_db, "users")
    assert "worker_newest" in await index_names(fresh_db, "bookings")

    await fresh_db["users"].insert_one({"email": "a@example.nz"})
    with pytest.raises(DuplicateKeyError):
        await fresh_db["users"].insert_one({"email": "a@example.nz"})

    assert await migrate_down(fresh_db, steps=len(ALL) - 1) == ALL[:0:-1]
    assert "worker_newest" not in await index_names(fresh_db, "bookings")
    assert "email_unique" in await index_names(fresh_db, "users")
    status = await migration_status(fresh_db)
    assert [m.version for m, applied in status if applied] == ["0001"]
    assert await migrate_up(fresh_db) == ALL[1:]


async def test_two_runners_at_once_apply_each_migration_once(fresh_db, settings):
    other = AsyncMongoClient(settings.mongodb_uri, tz_aware=True)
    try:
        first, second = await asyncio.gather(
            migrate_up(fresh_db), migrate_up(other[fresh_db.name])
        )
    finally:
        await other.close()
    assert sorted(first + second) == ALL
    assert {doc["_id"] async for doc in fresh_db["migrations"].find({})} == set(ALL)


async def test_command_line(fresh_db, settings, project_root):
    env = {"MONGODB_URI": settings.mongodb_uri, "MONGODB_DB": fresh_db.name}
    cli = [sys.executable, "-m", "scripts.migrate"]
    status = run_cli([*cli, "status"], env, cwd=project_root)
    assert status.returncode == 0, status.stderr
    assert status.stdout.count("pending") == len(ALL)
    up = run_cli([*cli, "up"], env, cwd=project_root)
    assert up.stdout.strip() == f"applied: {', '.join(ALL)}"
    again = run_cli([*cli, "up"], env, cwd=project_root)
    assert again.stdout.strip() == "applied: nothing to do"
    down = run_cli([*cli, "down"], env, cwd=project_root)
    assert down.stdout.strip() == f"reverted: {ALL[-1]}"
