from __future__ import annotations

import pytest
from pymongo.errors import DuplicateKeyError

from scripts.migrate import m0003_payments


async def _index_names(db, collection):
    return {ix["name"] async for ix in await db[collection].list_indexes()}


async def test_stripe_event_ids_are_unique(raw_db):
    events = raw_db["stripe_events"]
    await events.insert_one({"event_id": "evt_1", "type": "x"})
    with pytest.raises(DuplicateKeyError):
        await events.insert_one({"event_id": "evt_1", "type": "x"})


async def test_payments_migration_down_and_up(raw_db):
    assert {"event_id_unique", "received_at_ttl"} <= await _index_names(
        raw_db, "stripe_events"
    )
    assert {
        "payment_status_authorize_at",
        "payout_status_worker",
        "payment_intent_id",
    } <= await _index_names(raw_db, "bookings")
    await m0003_payments.down(raw_db)
    try:
        assert "event_id_unique" not in await _index_names(raw_db, "stripe_events")
        assert "payment_intent_id" not in await _index_names(raw_db, "bookings")
        assert "stripe_account_id" not in await _index_names(raw_db, "workers")
    finally:
        await m0003_payments.up(raw_db)
    assert "event_id_unique" in await _index_names(raw_db, "stripe_events")
    assert "stripe_account_id" in await _index_names(raw_db, "workers")
