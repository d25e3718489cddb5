from __future__ import annotations

from bson import ObjectId

from gigsta.documents.places import PlaceAddress
from gigsta.domain.places import Address
from scripts.migrate import m0008_booking_time_zones
from scripts.standins.addressable import demo_place


def _address(formatted: str) -> dict:
    return PlaceAddress.from_domain(demo_place(formatted)).model_dump()


CHATHAMS = Address(
    formatted="9 Tuku Road, Waitangi, Chatham Islands 8942",
    street_number="9",
    street="Tuku Road",
    locality="Waitangi",
    city=None,
    region="Chatham Islands",
    postcode="8942",
    country="NZ",
    latitude=-43.954,
    longitude=-176.56,
)


async def test_old_bookings_get_the_zone_of_their_place_or_customer(raw_db):
    nz_customer, au_customer = ObjectId(), ObjectId()
    await raw_db["customers"].insert_many(
        [
            {"_id": nz_customer, "user_id": ObjectId(), "country": "NZ"},
            {"_id": au_customer, "user_id": ObjectId(), "country": "AU"},
        ]
    )
    bookings = raw_db["bookings"]
    old = {
        "auckland": (
            nz_customer,
            _address("45 Mount Eden Road, Mount Eden, Auckland 1024"),
        ),
        "perth": (au_customer, _address("100 St Georges Terrace, Perth WA 6000")),
        "hobart": (au_customer, _address("25 Elizabeth Street, Hobart TAS 7000")),
        "chathams": (nz_customer, PlaceAddress.from_domain(CHATHAMS).model_dump()),
        "nz-no-address": (nz_customer, None),
        "au-no-address": (au_customer, None),
        # A customer that is gone: the first market's zone.
        "orphan": (ObjectId(), None),
    }
    await bookings.insert_many(
        [
            {"description": name, "customer_id": customer, "address": address}
            for name, (customer, address) in old.items()
        ]
    )
    # Made after the new code went live: its zone stays as it is.
    await bookings.insert_one(
        {
            "description": "new",
            "customer_id": nz_customer,
            "address": None,
            "time_zone": "Australia/Darwin",
        }
    )

    async def zones():
        return {
            doc["description"]: doc.get("time_zone")
            async for doc in bookings.find({}, {"description": 1, "time_zone": 1})
        }

    expected = {
        "auckland": "Pacific/Auckland",
        "perth": "Australia/Perth",
        "hobart": "Australia/Hobart",
        "chathams": "Pacific/Chatham",
        "nz-no-address": "Pacific/Auckland",
        "au-no-address": "Australia/Sydney",
        "orphan": "Pacific/Auckland",
        "new": "Australia/Darwin",
    }
    await m0008_booking_time_zones.up(raw_db)
    assert await zones() == expected
    await m0008_booking_time_zones.up(raw_db)  # a second run changes nothing
    assert await zones() == expected
    await m0008_booking_time_zones.down(raw_db)
    assert set((await zones()).values()) == {None}
    await m0008_booking_time_zones.up(raw_db)
    assert await zones() == {**expected, "new": "Pacific/Auckland"}


async def test_bookings_are_filled_in_batches(raw_db):
    customer = ObjectId()
    await raw_db["customers"].insert_one(
        {"_id": customer, "user_id": ObjectId(), "country": "AU"}
    )
    await raw_db["bookings"].insert_many(
        [{"customer_id": customer, "n": n} for n in range(8)]
    )
    await m0008_booking_time_zones.up(raw_db, batch_size=3)
    assert (
        await raw_db["bookings"].count_documents({"time_zone": "Australia/Sydney"}) == 8
    )
