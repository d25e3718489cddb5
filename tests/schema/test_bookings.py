"""The booking lifecycle over GraphQL/HTTP against the real database server."""

from __future__ import annotations

import asyncio
from dataclasses import dataclass
from datetime import timedelta

import pytest

from tests.ids import global_id

BOOKING_FIELDS = """
  id status version description scheduledStart scheduledEnd createdAt
  service { key name }
  customer { id name }
  worker { id name }
  history { action fromStatus toStatus actorRole actorId note reason at }
  availableActions { actionName buttonLabel note isCritical requiresReason }
"""
REQUEST = f"""
mutation Request($input: RequestBookingInput!) {{
  requestBooking(input: $input) {{
    booking {{ {BOOKING_FIELDS} }} errors {{ field code message }}
  }}
}}"""
ACT = f"""
mutation Act($input: PerformBookingActionInput!) {{
  performBookingAction(input: $input) {{
    booking {{ {BOOKING_FIELDS} }} errors {{ field code message }}
  }}
}}"""
BOOKING = f"query B($id: ID!) {{ booking(id: $id) {{ {BOOKING_FIELDS} }} }}"
BOOKINGS = """
query Bs($first: Int, $after: String, $status: BookingStatus) {
  bookings(first: $first, after: $after, status: $status) {
    edges { cursor node { id status description } }
    pageInfo { hasNextPage endCursor }
  }
}"""


@dataclass
class Party:
    token: str
    user_id: str
    profile_id: str


@dataclass
class Cast:
    customer: Party
    worker: Party
    other_customer: Party
    other_worker: Party
    admin: Party


async def _party(gql, email: str, role: str = "CUSTOMER", country: str = "NZ") -> Party:
    token, viewer = await gql.sign_up(email, role=role, country=country, name=email[:4])
    profile = viewer["customer"] or viewer["worker"]
    return Party(token, viewer["id"], profile["id"])


async def _offer(gql, party: Party, services: list[str]) -> None:
    data = await gql(
        """mutation($i: UpdateWorkerProfileInput!) {
             updateWorkerProfile(input: $i) { errors { code } } }""",
        {"i": {"services": services, "hourlyRate": 4000}},
        token=party.token,
    )
    assert data["updateWorkerProfile"]["errors"] == []


@pytest.fixture
async def cast(gql, raw_db, settings, project_root) -> Cast:
    from tests.conftest import PASSWORD

    customer = await _party(gql, "kim@example.nz")
    worker = await _party(gql, "mere@example.nz", role="WORKER")
    other_customer = await _party(gql, "lee@example.nz")
    other_worker = await _party(gql, "sam@example.nz", role="WORKER")
    await _offer(gql, worker, ["cleaning", "gardening"])
    await _offer(gql, other_worker, ["cleaning"])
    # Admins are created out of band; log one in through the API.
    from gigsta.resolvers.accounts.sign_in import create_admin
    from tests.conftest import FakeClock

    result = await create_admin(
        email="admin@example.nz", password=PASSWORD, now=FakeClock().now
    )
    assert result.user is not None
    login = await gql(
        "mutation($i: LogInInput!) { logIn(input: $i) { token } }",
        {"i": {"email": "admin@example.nz", "password": PASSWORD}},
    )
    admin = Party(login["logIn"]["token"], global_id("User", result.user.id), "")
    return Cast(customer, worker, other_customer, other_worker, admin)


def booking_input(cast: Cast, clock, **overrides):
    start = clock.now + timedelta(days=2)
    return {
        "input": {
            "workerId": cast.worker.profile_id,
            "service": "cleaning",
            "description": "Two-bedroom flat, end of tenancy.",
            "scheduledStart": start.isoformat(),
            "scheduledEnd": (start + timedelta(hours=3)).isoformat(),
            "paymentMethodId": "pm_card_visa",  # localstripe's test card
            **overrides,
        }
    }


async def request(gql, cast: Cast, clock, **overrides) -> dict:
    data = await gql(
        REQUEST, booking_input(cast, clock, **overrides), token=cast.customer.token
    )
    payload = data["requestBooking"]
    assert payload["errors"] == []
    return payload["booking"]


async def act(gql, party: Party, booking: dict, action: str, reason=None, version=None):
    data = await gql(
        ACT,
        {
            "input": {
                "bookingId": booking["id"],
                "action": action,
                "expectedVersion": booking["version"] if version is None else version,
                "reason": reason,
            }
        },
        token=party.token,
    )
    return data["performBookingAction"]


def names(booking: dict) -> list[str]:
    return [a["actionName"] for a in booking["availableActions"]]


async def view(gql, party: Party, booking_id: str) -> dict | None:
    return (await gql(BOOKING, {"id": booking_id}, token=party.token))["booking"]


async def test_request_booking(gql, cast, clock):
    booking = await request(gql, cast, clock)
    assert booking["status"] == "REQUESTED"
    assert booking["version"] == 1
    assert booking["service"] == {"key": "cleaning", "name": "Cleaning"}
    assert booking["customer"]["id"] == cast.customer.profile_id
    assert booking["worker"]["id"] == cast.worker.profile_id
    # The suite's clock (09:00 UTC) in the customer's country, NZ, by default.
    assert booking["createdAt"] == "2026-11-02T22:00:00+13:00"
    assert [
        (e["action"], e["actorRole"], e["actorId"]) for e in booking["history"]
    ] == [("request", "CUSTOMER", cast.customer.user_id)]
    assert names(booking) == ["cancel"]
    cancel = booking["availableActions"][0]
    assert cancel == {
        "actionName": "cancel",
        "buttonLabel": "Cancel booking",
        "note": "The customer cancelled the booking.",
        "isCritical": True,
        "requiresReason": False,
    }
    as_worker = await view(gql, cast.worker, booking["id"])
    assert names(as_worker) == ["accept", "decline"]
    as_admin = await view(gql, cast.admin, booking["id"])
    assert names(as_admin) == ["admin_cancel"]


@pytest.mark.parametrize(
    ("overrides", "field", "code"),
    [
        ({"service": "painting"}, "service", "SERVICE_NOT_OFFERED"),
        ({"service": "juggling"}, "service", "UNKNOWN_SERVICE"),
        ({"workerId": global_id("Worker", "0" * 24)}, "workerId", "NOT_FOUND"),
        # Ids are global ids: a raw document id, another type's id, or none.
        ({"workerId": "0" * 24}, "workerId", "INVALID"),
        ({"workerId": global_id("Customer", "0" * 24)}, "workerId", "INVALID"),
        ({"workerId": "nope"}, "workerId", "INVALID"),
        ({"description": "  "}, "description", "INVALID"),
        (
            {"scheduledStart": "2026-11-01T09:00:00+00:00"},
            "scheduledStart",
            "INVALID",
        ),
        (
            {
                "scheduledStart": "2026-11-05T09:00:00+00:00",
                "scheduledEnd": "2026-11-05T08:00:00+00:00",
            },
            "scheduledEnd",
            "INVALID",
        ),
        (
            {
                "scheduledStart": "2026-11-05T09:00:00",
                "scheduledEnd": "2026-11-05T10:00:00",
            },
            "scheduledStart",
            "INVALID",
        ),
    ],
)
async def test_request_booking_rejects_bad_input(
    gql, cast, clock, raw_db, overrides, field, code
):
    data = await gql(
        REQUEST, booking_input(cast, clock, **overrides), token=cast.customer.token
    )
    payload = data["requestBooking"]
    assert payload["booking"] is None
    assert (field, code) in [(e["field"], e["code"]) for e in payload["errors"]]
    assert await raw_db["bookings"].count_documents({}) == 0


async def test_only_customers_request_and_only_in_their_country(gql, cast, clock):
    by_worker = await gql(REQUEST, booking_input(cast, clock), token=cast.worker.token)
    assert [e["code"] for e in by_worker["requestBooking"]["errors"]] == ["NOT_ALLOWED"]
    anonymous = await gql(REQUEST, booking_input(cast, clock))
    assert [e["code"] for e in anonymous["requestBooking"]["errors"]] == [
        "UNAUTHENTICATED"
    ]
    au_worker = await _party(gql, "chloe@example.au", role="WORKER", country="AU")
    await _offer(gql, au_worker, ["cleaning"])
    across = await gql(
        REQUEST,
        booking_input(cast, clock, workerId=au_worker.profile_id),
        token=cast.customer.token,
    )
    assert [e["code"] for e in across["requestBooking"]["errors"]] == ["NOT_ALLOWED"]


async def test_full_happy_path_with_history(gql, cast, clock):
    booking = await request(gql, cast, clock)
    accepted = await act(gql, cast.worker, booking, "accept")
    assert accepted["errors"] == []
    booking = accepted["booking"]
    assert (booking["status"], booking["version"]) == ("ACCEPTED", 2)
    assert names(booking) == ["withdraw"]  # too early to start

    clock.advance(timedelta(days=2) - timedelta(hours=2))
    booking = await view(gql, cast.worker, booking["id"])
    assert names(booking) == ["withdraw", "start"]
    booking = (await act(gql, cast.worker, booking, "start"))["booking"]
    assert booking["status"] == "IN_PROGRESS"
    clock.advance(timedelta(hours=5))
    booking = (await act(gql, cast.worker, booking, "complete"))["booking"]
    assert booking["status"] == "COMPLETED"
    as_customer = await view(gql, cast.customer, booking["id"])
    assert names(as_customer) == ["confirm", "dispute"]
    done = await act(gql, cast.customer, as_customer, "confirm")
    assert done["errors"] == []
    booking = done["booking"]
    assert (booking["status"], booking["version"]) == ("CLOSED", 5)
    assert booking["availableActions"] == []
    assert [
        (e["action"], e["fromStatus"], e["toStatus"], e["actorRole"])
        for e in booking["history"]
    ] == [
        ("request", "REQUESTED", "REQUESTED", "CUSTOMER"),
        ("accept", "REQUESTED", "ACCEPTED", "WORKER"),
        ("start", "ACCEPTED", "IN_PROGRESS", "WORKER"),
        ("complete", "IN_PROGRESS", "COMPLETED", "WORKER"),
        ("confirm", "COMPLETED", "CLOSED", "CUSTOMER"),
    ]
    assert booking["history"][1]["note"] == "The worker accepted the booking."
    assert booking["history"][1]["actorId"] == cast.worker.user_id


async def test_error_codes(gql, cast, clock):
    booking = await request(gql, cast, clock)
    not_allowed = await act(gql, cast.customer, booking, "accept")
    assert [e["code"] for e in not_allowed["errors"]] == ["NOT_ALLOWED"]
    assert not_allowed["booking"]["version"] == 1
    invalid = await act(gql, cast.worker, booking, "complete")
    assert [e["code"] for e in invalid["errors"]] == ["INVALID_TRANSITION"]
    no_reason = await act(gql, cast.worker, booking, "decline", reason="  ")
    assert [(e["field"], e["code"]) for e in no_reason["errors"]] == [
        ("reason", "REASON_REQUIRED")
    ]
    stale = await act(gql, cast.worker, booking, "accept", version=7)
    assert [e["code"] for e in stale["errors"]] == ["VERSION_CONFLICT"]
    unknown = await act(gql, cast.worker, booking, "teleport")
    assert [e["code"] for e in unknown["errors"]] == ["UNKNOWN_ACTION"]
    for stranger in (cast.other_customer, cast.other_worker):
        hidden = await act(gql, stranger, booking, "cancel")
        assert hidden["booking"] is None
        assert [e["code"] for e in hidden["errors"]] == ["NOT_FOUND"]
    missing = await act(
        gql, cast.worker, {"id": global_id("Booking", "0" * 24), "version": 1}, "accept"
    )
    assert [e["code"] for e in missing["errors"]] == ["NOT_FOUND"]
    not_a_booking = await act(
        gql, cast.worker, {"id": cast.worker.profile_id, "version": 1}, "accept"
    )
    assert [(e["field"], e["code"]) for e in not_a_booking["errors"]] == [
        ("bookingId", "INVALID")
    ]
    # nothing above changed the booking
    current = await view(gql, cast.worker, booking["id"])
    assert (current["status"], current["version"], len(current["history"])) == (
        "REQUESTED",
        1,
        1,
    )
    declined = await act(gql, cast.worker, booking, "decline", reason="Fully booked")
    assert declined["booking"]["status"] == "DECLINED"
    assert declined["booking"]["history"][-1]["reason"] == "Fully booked"
    assert declined["booking"]["availableActions"] == []


async def test_dispute_and_admin_resolution(gql, cast, clock):
    booking = await request(gql, cast, clock)
    booking = (await act(gql, cast.worker, booking, "accept"))["booking"]
    clock.advance(timedelta(days=2))
    booking = (await act(gql, cast.worker, booking, "start"))["booking"]
    booking = (await act(gql, cast.worker, booking, "complete"))["booking"]
    booking = (
        await act(gql, cast.customer, booking, "dispute", reason="Oven not done")
    )["booking"]
    assert booking["status"] == "DISPUTED"
    assert names(booking) == []
    as_admin = await view(gql, cast.admin, booking["id"])
    assert names(as_admin) == ["resolve_for_worker", "resolve_for_customer"]
    resolved = await act(
        gql, cast.admin, as_admin, "resolve_for_customer", reason="Refund"
    )
    assert resolved["booking"]["status"] == "REFUNDED"
    assert resolved["booking"]["history"][-1]["actorRole"] == "ADMIN"


async def test_visibility_of_booking_and_bookings(gql, cast, clock):
    mine = await request(gql, cast, clock)
    other = await gql(
        REQUEST,
        booking_input(cast, clock, workerId=cast.other_worker.profile_id),
        token=cast.other_customer.token,
    )
    theirs = other["requestBooking"]["booking"]
    assert await view(gql, cast.other_customer, mine["id"]) is None
    assert await view(gql, cast.other_worker, mine["id"]) is None
    assert (await view(gql, cast.admin, theirs["id"]))["id"] == theirs["id"]

    async def listed(party: Party) -> list[str]:
        data = await gql(BOOKINGS, {"first": 50}, token=party.token)
        return [e["node"]["id"] for e in data["bookings"]["edges"]]

    assert await listed(cast.customer) == [mine["id"]]
    assert await listed(cast.worker) == [mine["id"]]
    assert await listed(cast.other_customer) == [theirs["id"]]
    assert await listed(cast.admin) == [theirs["id"], mine["id"]]  # newest first
    anonymous = (await gql.raw(BOOKINGS, {"first": 5})).json()
    assert anonymous["errors"][0]["extensions"]["code"] == "UNAUTHENTICATED"

    # Worker.bookings / Customer.bookings follow the same rules.
    nested = (
        """query($id: ID!) { worker(id: $id) { bookings { edges { node { id } } } } }"""
    )
    as_stranger = await gql(
        nested, {"id": cast.worker.profile_id}, token=cast.other_customer.token
    )
    assert as_stranger["worker"]["bookings"]["edges"] == []
    as_owner = await gql(
        nested, {"id": cast.worker.profile_id}, token=cast.customer.token
    )
    assert [e["node"]["id"] for e in as_owner["worker"]["bookings"]["edges"]] == [
        mine["id"]
    ]
    own_customer = await gql(
        """query { viewer { customer { bookings { edges { node { id } } } } } }""",
        token=cast.customer.token,
    )
    assert [
        e["node"]["id"] for e in own_customer["viewer"]["customer"]["bookings"]["edges"]
    ] == [mine["id"]]


async def test_bookings_newest_first_paginated_and_filtered(gql, cast, clock):
    created = []
    for i in range(7):
        # distinct slots: an identical request (worker, slot, card) is a retry
        start = clock.now + timedelta(days=2, hours=i)
        slot = {
            "scheduledStart": start.isoformat(),
            "scheduledEnd": (start + timedelta(hours=1)).isoformat(),
        }
        created.append(await request(gql, cast, clock, description=f"Job {i}", **slot))
        clock.advance(timedelta(minutes=1) if i != 3 else timedelta(0))  # a tie too
    await act(gql, cast.worker, created[2], "accept")
    seen = []
    after = None
    while True:
        page = (
            await gql(BOOKINGS, {"first": 3, "after": after}, token=cast.worker.token)
        )["bookings"]
        seen += [e["node"]["description"] for e in page["edges"]]
        if not page["pageInfo"]["hasNextPage"]:
            break
        after = page["pageInfo"]["endCursor"]
    assert len(seen) == 7 and len(set(seen)) == 7
    # newest first; the two created in the same instant come in id order, newest first
    assert seen == ["Job 6", "Job 5", "Job 4", "Job 3", "Job 2", "Job 1", "Job 0"]
    accepted = await gql(BOOKINGS, {"status": "ACCEPTED"}, token=cast.worker.token)
    assert [e["node"]["description"] for e in accepted["bookings"]["edges"]] == [
        "Job 2"
    ]


async def test_twenty_five_racing_requests_one_winner(gql, cast, clock, raw_db):
    """accept, decline and cancel race on one booking over HTTP: exactly one wins."""
    booking = await request(gql, cast, clock)
    attempts = []
    for i in range(25):
        kind = i % 3
        if kind == 0:
            attempts.append(act(gql, cast.worker, booking, "accept"))
        elif kind == 1:
            attempts.append(act(gql, cast.worker, booking, "decline", reason="busy"))
        else:
            attempts.append(act(gql, cast.customer, booking, "cancel"))
    results = await asyncio.gather(*attempts)
    winners = [r for r in results if r["errors"] == []]
    losers = [r for r in results if r["errors"]]
    assert len(winners) == 1
    assert len(losers) == 24
    assert {e["code"] for r in losers for e in r["errors"]} <= {
        "VERSION_CONFLICT",
        "INVALID_TRANSITION",
    }
    stored = await raw_db["bookings"].find_one({})
    assert stored["version"] == 2
    assert len(stored["history"]) == 2  # the request plus exactly one new event
    assert stored["status"] == winners[0]["booking"]["status"].lower()
    assert stored["history"][-1]["to_status"] == stored["status"]
