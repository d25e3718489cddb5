"""No double booking under concurrency, through the app and the database:
twenty customers asking for one slot at once, and a worker accepting two
overlapping requests at once."""

from __future__ import annotations

import asyncio
import dataclasses
import secrets
from datetime import timedelta

from beanie import PydanticObjectId

from gigsta.documents import Booking, WorkerCalendar
from gigsta.domain.accounts import Role, Viewer
from tests.ids import raw_id
from tests.schema.payments_helpers import act, parties, read, request

RACERS = 20


async def test_twenty_requests_for_one_slot_make_one_booking(
    gql, clock, stripe_harness
):
    p = await parties(gql, clock)
    customers = [p.customer]
    for _ in range(RACERS - 1):
        _, viewer = await gql.sign_up(f"r{secrets.token_hex(4)}@example.com")
        customers.append(
            Viewer(
                raw_id(viewer["id"]), Role.CUSTOMER, raw_id(viewer["customer"]["id"])
            )
        )
    start = clock.now + timedelta(days=2)

    # Each racer requests as its own customer, so none is a retry of another.
    payloads = await asyncio.gather(
        *(
            request(gql, dataclasses.replace(p, customer=c), "pm_card_visa", start)
            for c in customers
        )
    )
    booked = [x["booking"] for x in payloads if x["errors"] == []]
    refused = [x for x in payloads if x["errors"] != []]
    assert len(booked) == 1
    assert len(refused) == RACERS - 1
    assert {e["code"] for x in refused for e in x["errors"]} == {"WORKER_UNAVAILABLE"}
    worker_id = PydanticObjectId(raw_id(p.worker_id))
    holding = await Booking.find({"worker_id": worker_id}).to_list()
    assert [b.status for b in holding] == ["requested"]
    calendar = await WorkerCalendar.get(worker_id)
    assert [c.booking_id for c in calendar.claims] == [holding[0].id]
    # Only the winner's card was held.
    assert len(stripe_harness.recorder.calls("POST", "/v1/payment_intents")) == 1


async def _overlapping_requests(gql, p, start):
    """Two requests for overlapping times, as bookings stored before
    availability existed could be: the second is moved onto the first in the
    database and neither holds a claim on the calendar (nor says it does)."""
    first = (await request(gql, p, "pm_card_visa", start))["booking"]
    later = start + timedelta(hours=5)
    second = (await request(gql, p, "pm_card_visa", later))["booking"]
    await Booking.get_pymongo_collection().update_one(
        {"_id": PydanticObjectId(raw_id(second["id"]))},
        {
            "$set": {
                "scheduled_start": start + timedelta(hours=1),
                "scheduled_end": start + timedelta(hours=3),
            }
        },
    )
    await WorkerCalendar.get_pymongo_collection().delete_many({})
    await Booking.get_pymongo_collection().update_many(
        {"_id": {"$in": [PydanticObjectId(raw_id(b["id"])) for b in (first, second)]}},
        {"$unset": {"time_claimed": ""}},
    )
    return first, second


async def test_two_overlapping_accepts_at_once_one_wins(gql, clock, stripe_harness):
    for round_ in range(3):
        p = await parties(gql, clock)
        start = clock.now + timedelta(days=2, hours=round_)
        first, second = await _overlapping_requests(gql, p, start)
        results = await asyncio.gather(
            act(gql, p.worker_token, first, "accept"),
            act(gql, p.worker_token, second, "accept"),
        )
        codes = sorted(e["code"] for r in results for e in r["errors"])
        assert codes == ["WORKER_UNAVAILABLE"]
        statuses = sorted(
            [
                (await read(gql, p.worker_token, b["id"]))["status"]
                for b in (first, second)
            ]
        )
        assert statuses == ["ACCEPTED", "REQUESTED"]


async def test_accepting_a_request_that_holds_its_claim_needs_no_second_claim(
    gql, clock, stripe_harness
):
    p = await parties(gql, clock)
    booking = (await request(gql, p, "pm_card_visa", clock.now + timedelta(days=2)))[
        "booking"
    ]
    accepted = await act(gql, p.worker_token, booking, "accept")
    assert accepted["errors"] == []
    calendar = await WorkerCalendar.get(raw_id(p.worker_id))
    assert [str(c.booking_id) for c in calendar.claims] == [raw_id(booking["id"])]
