"""The demo Addressable stand-in over real HTTP, and migration 0004."""

from __future__ import annotations

import secrets

import pytest
from pymongo import AsyncMongoClient

from gigsta.domain.core import ErrorCode
from gigsta.integrations.addressable import AddressableClient, AddressLookupError
from scripts.migrate import discover, migrate_down, migrate_up
from scripts.processes import stop_process
from scripts.standins.addressable import DEMO_ADDRESSES, DEMO_API_KEY, start_addressable


@pytest.fixture(scope="module")
def demo_addressable(tmp_path_factory):
    proc, base_url = start_addressable(tmp_path_factory.mktemp("addr") / "log")
    try:
        yield base_url
    finally:
        stop_process(proc)


def test_the_demo_set_covers_both_countries():
    countries = [a["country_code"] for a in DEMO_ADDRESSES]
    assert countries.count("NZ") >= 12
    assert countries.count("AU") >= 12
    assert any(isinstance(a["lat"], str) for a in DEMO_ADDRESSES)


async def test_the_client_talks_to_the_stand_in(demo_addressable):
    client = AddressableClient(api_key=DEMO_API_KEY, base_url=demo_addressable)
    try:
        (found,) = await client.autocomplete("chapel street windsor", "AU", 5)
        assert found.formatted == "80 Chapel Street, Windsor VIC 3181"
        assert (found.latitude, found.longitude) == (-37.856, 144.993)
        assert await client.autocomplete("chapel street windsor", "NZ", 5) == []
    finally:
        await client.aclose()
    wrong = AddressableClient(api_key="nope", base_url=demo_addressable)
    try:
        with pytest.raises(AddressLookupError) as caught:
            await wrong.autocomplete("queen street", "NZ", 5)
        assert caught.value.code is ErrorCode.ADDRESS_LOOKUP_UNAVAILABLE
    finally:
        await wrong.aclose()


async def test_migration_0004_up_and_down(mongo_uri):
    client = AsyncMongoClient(mongo_uri)
    db = client[f"gigsta_m4_{secrets.token_hex(4)}"]
    try:
        await migrate_up(db)
        workers = await db["workers"].index_information()
        assert workers["base_location_2dsphere"]["key"] == [
            ("base_address.location", "2dsphere")
        ]
        attachments = await db["attachments"].index_information()
        assert attachments["key_unique"]["unique"] is True
        await migrate_up(db)
        reverted = await migrate_down(db, steps=len(discover()) - 3)
        assert reverted[-1] == "0004"  # later migrations are reverted first
        assert "base_location_2dsphere" not in await db["workers"].index_information()
        assert "key_unique" not in await db["attachments"].index_information()
        assert (await migrate_up(db))[0] == "0004"
    finally:
        await client.drop_database(db.name)
        await client.close()


def test_purge_uploads_job_runs(settings, places_settings, project_root):
    import sys

    from tests.conftest import JWT_SECRET, run_cli

    env = {
        "MONGODB_URI": settings.mongodb_uri,
        "MONGODB_DB": settings.mongodb_db,
        "GIGSTA_JWT_SECRET": JWT_SECRET,
        **{k: str(v) for k, v in places_settings.items()},
    }
    done = run_cli(
        [sys.executable, "-m", "gigsta.jobs", "purge-uploads"], env, cwd=project_root
    )
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip() == '{"purged": 0}'
    no_r2 = {**env, "R2_ENDPOINT_URL": ""}
    done = run_cli(
        [sys.executable, "-m", "gigsta.jobs", "purge-uploads"], no_r2, cwd=project_root
    )
    assert done.returncode == 1
    assert "not configured" in done.stderr
