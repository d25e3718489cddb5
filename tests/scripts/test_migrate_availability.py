"""Migration 0010 claims the time of bookings that already hold it, oldest
request first, so the guard against double booking covers older bookings."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from bson import ObjectId

from scripts.migrate import m0010_availability

T0 = datetime(2026, 12, 1, 9, 0, tzinfo=UTC)


def _booking(worker, status, start_hour, end_hour, created_minute):
    return {
        "_id": ObjectId(),
        "worker_id": worker,
        "status": status,
        "scheduled_start": T0 + timedelta(hours=start_hour),
        "scheduled_end": T0 + timedelta(hours=end_hour),
        "created_at": T0 - timedelta(days=1) + timedelta(minutes=created_minute),
    }


async def test_holding_bookings_get_claims_and_overlaps_stay_unclaimed(raw_db):
    worker, other = ObjectId(), ObjectId()
    first = _booking(worker, "accepted", 0, 2, 0)
    overlapping = _booking(worker, "requested", 1, 3, 5)  # requested later
    adjacent = _booking(worker, "in_progress", 2, 4, 10)
    cancelled = _booking(worker, "cancelled", 0, 2, 15)
    elsewhere = _booking(other, "requested", 0, 2, 20)
    await raw_db["bookings"].insert_many(
        [overlapping, first, adjacent, cancelled, elsewhere]
    )
    await m0010_availability.up(raw_db)
    await m0010_availability.up(raw_db)  # twice changes nothing
    mine = await raw_db["worker_calendars"].find_one({"_id": worker})
    assert [c["booking_id"] for c in mine["claims"]] == [first["_id"], adjacent["_id"]]
    theirs = await raw_db["worker_calendars"].find_one({"_id": other})
    assert [c["booking_id"] for c in theirs["claims"]] == [elsewhere["_id"]]
    names = [i["name"] async for i in await raw_db["bookings"].list_indexes()]
    assert "worker_status_start" in names
