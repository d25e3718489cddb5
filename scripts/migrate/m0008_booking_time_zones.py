"""Bookings: every booking carries the IANA time zone of where the job is
(from its address, else from its customer's country), which the API shows its
times in. Bookings made before this migration get theirs here."""

from __future__ import annotations

from collections import defaultdict
from typing import Any

from pymongo.asynchronous.database import AsyncDatabase

from gigsta.documents.places import PlaceAddress
from gigsta.domain.accounts import Country
from gigsta.domain.time_zones import booking_time_zone

BATCH = 500
# Customers are never deleted; should one be missing all the same, its
# bookings without an address read in the first market's zone.
_NO_CUSTOMER = Country.NZ
_MISSING = {"time_zone": {"$exists": False}}


async def up(db: AsyncDatabase[dict[str, Any]], *, batch_size: int = BATCH) -> None:
    bookings = db["bookings"]
    batch: list[dict[str, Any]] = []
    async for booking in bookings.find(_MISSING, {"customer_id": 1, "address": 1}):
        batch.append(booking)
        if len(batch) == batch_size:
            await _fill(db, batch)
            batch = []
    if batch:
        await _fill(db, batch)


async def _fill(db: AsyncDatabase[dict[str, Any]], batch: list[dict[str, Any]]) -> None:
    customer_ids = list({b["customer_id"] for b in batch})
    countries = {
        doc["_id"]: Country(doc["country"])
        async for doc in db["customers"].find(
            {"_id": {"$in": customer_ids}}, {"country": 1}
        )
    }
    by_zone: defaultdict[str, list[Any]] = defaultdict(list)
    for booking in batch:
        address = booking.get("address")
        zone = booking_time_zone(
            PlaceAddress.model_validate(address).to_domain() if address else None,
            countries.get(booking["customer_id"], _NO_CUSTOMER),
        )
        by_zone[zone].append(booking["_id"])
    for zone, ids in by_zone.items():
        # The filter leaves alone a zone set meanwhile (a new booking's own).
        await db["bookings"].update_many(
            {"_id": {"$in": ids}, **_MISSING}, {"$set": {"time_zone": zone}}
        )


async def down(db: AsyncDatabase[dict[str, Any]]) -> None:
    await db["bookings"].update_many({}, {"$unset": {"time_zone": ""}})
