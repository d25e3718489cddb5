from __future__ import annotations

from scripts.migrate import m0007_token_version


async def test_token_versions_start_at_zero_and_keep_revocations(raw_db):
    users = raw_db["users"]
    await users.insert_many(
        [
            {"email": "old@example.nz", "role": "CUSTOMER"},
            {"email": "revoked@example.nz", "role": "CUSTOMER", "token_version": 3},
        ]
    )

    async def versions():
        return {
            doc["email"]: doc.get("token_version")
            async for doc in users.find({}, {"email": 1, "token_version": 1})
        }

    await m0007_token_version.up(raw_db)
    assert await versions() == {"old@example.nz": 0, "revoked@example.nz": 3}
    await m0007_token_version.up(raw_db)  # a second run changes nothing
    assert await versions() == {"old@example.nz": 0, "revoked@example.nz": 3}
    await m0007_token_version.down(raw_db)
    assert await versions() == {"old@example.nz": None, "revoked@example.nz": None}
    await m0007_token_version.up(raw_db)
    assert await versions() == {"old@example.nz": 0, "revoked@example.nz": 0}
