"""Live updates across instances: two `python -m gigsta serve` processes on one
database; changes made through one reach subscribers of the other through
the database's change stream (each process watches `events` once)."""

from __future__ import annotations

import asyncio
import contextlib
import json
import time
from datetime import UTC, datetime, timedelta
from typing import Any

import jwt
import pytest
import websockets
from bson import ObjectId
from gql.transport.exceptions import TransportQueryError

from gigsta.documents.places import GeoPoint, PlaceAddress
from tests.conftest import CORS_ORIGIN, JWT_SECRET, PASSWORD
from tests.ids import raw_id
from tests.live_clients import (
    BOOKING_UPDATED,
    MY_EVENTS,
    Party,
    act,
    events_cursor,
    graphql,
    live,
    offer_cleaning,
    request_booking,
    sign_up,
    ws_url,
)

# The bound: a change through A reaches a subscriber on B within it.
DELIVERY_SECONDS = 2.0


async def parties(base: str, tag: str) -> tuple[Party, Party]:
    """A customer and a worker who offers cleaning."""
    customer = await sign_up(base, f"c-{tag}@example.nz", "CUSTOMER", PASSWORD)
    worker = await sign_up(base, f"w-{tag}@example.nz", "WORKER", PASSWORD)
    await offer_cleaning(base, worker)
    return customer, worker


async def booked(base: str, tag: str) -> tuple[Party, Party, str]:
    """A customer, a worker, and a booking between them just requested."""
    customer, worker = await parties(base, tag)
    return customer, worker, await request_booking(base, customer, worker)


async def next_within(stream: Any, seconds: float = DELIVERY_SECONDS) -> Any:
    return await asyncio.wait_for(anext(stream), seconds)


async def test_a_transition_through_a_reaches_a_subscriber_on_b(two_instances):
    a, b = two_instances
    customer, worker, booking_id = await booked(a.base, "ab")
    async with live(b.base, customer.token) as session:
        updates = session.subscribe(BOOKING_UPDATED, id=booking_id)
        # First the booking as it is: the subscription is registered by then.
        now = (await next_within(updates, 10))["bookingUpdated"]
        assert (now["status"], now["version"]) == ("REQUESTED", 1)
        started = time.monotonic()
        await act(a.base, worker, booking_id, "accept", 1)
        update = (await next_within(updates))["bookingUpdated"]
        assert time.monotonic() - started < DELIVERY_SECONDS
    assert (update["id"], update["status"], update["version"]) == (
        booking_id,
        "ACCEPTED",
        2,
    )
    # Shown to the customer as a query would: what they may do now.
    assert "cancel" in {a["actionName"] for a in update["availableActions"]}


async def test_a_viewer_who_may_not_see_a_booking_hears_nothing_of_it(two_instances):
    a, b = two_instances
    customer, worker = await parties(a.base, "own")
    stranger, other_worker = await parties(a.base, "stranger")
    booking_id = await request_booking(a.base, customer, worker)
    # Not theirs: like a booking that does not exist.
    async with live(b.base, stranger.token) as session:
        with pytest.raises(TransportQueryError) as refused:
            await next_within(session.subscribe(BOOKING_UPDATED, id=booking_id), 10)
    assert refused.value.errors[0]["extensions"]["code"] == "NOT_FOUND"

    cursor = await events_cursor(b.base, stranger)
    async with live(b.base, stranger.token) as session:
        events = session.subscribe(MY_EVENTS, after=cursor)
        await act(a.base, worker, booking_id, "accept", 1)
        own = await request_booking(a.base, stranger, other_worker)
        # Events arrive in the log's order: the stranger's own booking came
        # after the accept, so had they been sent the accept, it would be first.
        first = (await next_within(events, 10))["myBookingEvents"]
    assert (first["type"], first["booking"]["id"]) == ("booking.requested", own)


async def test_a_client_that_reconnects_with_its_cursor_gets_what_it_missed(
    two_instances,
):
    a, b = two_instances
    customer, worker = await parties(a.base, "resume")
    start = await events_cursor(a.base, customer)
    first_id = await request_booking(a.base, customer, worker)
    async with live(b.base, customer.token) as session:
        events = session.subscribe(MY_EVENTS, after=start)
        requested = (await next_within(events, 10))["myBookingEvents"]
    assert (requested["type"], requested["booking"]["id"]) == (
        "booking.requested",
        first_id,
    )
    # Offline: the booking is accepted and another is requested, through A.
    await act(a.base, worker, first_id, "accept", 1)
    second_id = await request_booking(a.base, customer, worker)

    async with live(a.base, customer.token) as session:
        events = session.subscribe(MY_EVENTS, after=requested["cursor"])
        missed = [(await next_within(events, 10))["myBookingEvents"] for _ in range(2)]
        await act(b.base, worker, second_id, "accept", 1)
        live_one = (await next_within(events))["myBookingEvents"]
    assert [(e["type"], e["action"], e["booking"]["id"]) for e in missed] == [
        ("booking.status_changed", "accept", first_id),
        ("booking.requested", None, second_id),
    ]
    assert (live_one["action"], live_one["booking"]["id"]) == ("accept", second_id)
    assert live_one["bookingVersion"] == 2  # once: not repeated by the catch-up


async def test_the_legacy_graphql_ws_protocol_delivers_too(two_instances):
    a, b = two_instances
    customer, worker, booking_id = await booked(a.base, "legacy")
    async with live(b.base, worker.token, legacy=True) as session:
        updates = session.subscribe(BOOKING_UPDATED, id=booking_id)
        assert (await next_within(updates, 10))["bookingUpdated"]["version"] == 1
        await act(a.base, customer, booking_id, "cancel", 1)
        update = (await next_within(updates))["bookingUpdated"]
    assert update["status"] == "CANCELLED"
    assert update["availableActions"] == []


ADDRESS_UPDATES = """subscription($id: ID!) { bookingUpdated(id: $id) {
    status address { detail formatted locality } } }"""


async def test_what_a_worker_sees_of_the_address_follows_each_change(
    two_instances, raw_db
):
    a, b = two_instances
    customer, worker, booking_id = await booked(a.base, "address")
    # Where the job is (chosen from an address suggestion in the app).
    await raw_db.bookings.update_one(
        {"_id": ObjectId(raw_id(booking_id))},
        {
            "$set": {
                "address": PlaceAddress(
                    formatted="12 Queen Street, Auckland Central, Auckland 1010",
                    street_number="12",
                    street="Queen Street",
                    locality="Auckland Central",
                    city="Auckland",
                    postcode="1010",
                    country="NZ",
                    location=GeoPoint.at(-36.8485, 174.7633),
                ).model_dump()
            }
        },
    )
    async with live(b.base, worker.token) as session:
        updates = session.subscribe(ADDRESS_UPDATES, id=booking_id)
        requested = (await next_within(updates, 10))["bookingUpdated"]
        await act(a.base, worker, booking_id, "accept", 1)
        accepted = (await next_within(updates))["bookingUpdated"]
        await act(a.base, customer, booking_id, "cancel", 2)
        cancelled = (await next_within(updates))["bookingUpdated"]
    shown = [
        (u["status"], u["address"]["detail"], u["address"]["formatted"])
        for u in (requested, accepted, cancelled)
    ]
    assert shown == [
        ("REQUESTED", "LOCALITY", None),
        ("ACCEPTED", "FULL", "12 Queen Street, Auckland Central, Auckland 1010"),
        ("CANCELLED", "LOCALITY", None),
    ]


async def init_and_close_code(base: str, payload: Any, **connect: Any) -> int:
    """Send `connection_init` with `payload` (None: none) and a subscribe;
    the code the server closes with."""
    async with websockets.connect(
        ws_url(base), subprotocols=["graphql-transport-ws"], **connect
    ) as socket:
        if payload is not None:
            await socket.send(
                json.dumps({"type": "connection_init", "payload": payload})
            )
        await socket.send(
            json.dumps(
                {"id": "1", "type": "subscribe", "payload": {"query": MY_EVENTS}}
            )
        )
        with contextlib.suppress(websockets.ConnectionClosed):
            while True:
                await asyncio.wait_for(socket.recv(), 10)
    assert socket.close_code is not None
    return socket.close_code


@pytest.mark.parametrize(
    ("payload", "code"),
    [
        ({}, 4403),  # no token
        ({"Authorization": "Bearer not-a-token"}, 4403),
        ({"Authorization": "Basic abc"}, 4403),
        (None, 4401),  # subscribed before connection_init was acknowledged
    ],
)
async def test_connections_without_a_valid_token_are_closed(
    two_instances, payload, code
):
    _, b = two_instances
    assert await init_and_close_code(b.base, payload) == code


async def test_only_listed_origins_may_open_a_socket(two_instances):
    _, b = two_instances
    with pytest.raises(websockets.InvalidStatus) as refused:
        async with websockets.connect(
            ws_url(b.base),
            subprotocols=["graphql-transport-ws"],
            origin="https://evil.example",
        ):
            pass
    assert refused.value.response.status_code == 403
    customer, _ = await parties(b.base, "origin")
    auth = {"Authorization": f"Bearer {customer.token}"}
    async with websockets.connect(
        ws_url(b.base), subprotocols=["graphql-transport-ws"], origin=CORS_ORIGIN
    ) as socket:
        await socket.send(json.dumps({"type": "connection_init", "payload": auth}))
        ack = json.loads(await asyncio.wait_for(socket.recv(), 10))
    assert ack["type"] == "connection_ack"


async def test_a_token_that_expires_ends_the_subscription(two_instances):
    a, b = two_instances
    customer, worker, booking_id = await booked(a.base, "expiry")
    claims = jwt.decode(customer.token, options={"verify_signature": False})
    claims["exp"] = int((datetime.now(UTC) + timedelta(seconds=3)).timestamp())
    short = jwt.encode(claims, JWT_SECRET, algorithm="HS256")
    async with live(b.base, short) as session:
        updates = session.subscribe(BOOKING_UPDATED, id=booking_id)
        assert (await next_within(updates, 10))["bookingUpdated"]["version"] == 1
        with pytest.raises(TransportQueryError) as ended:
            await next_within(updates, 10)
    assert ended.value.errors[0]["extensions"]["code"] == "UNAUTHENTICATED"
    assert "expired" in ended.value.errors[0]["message"]


async def test_logging_out_everywhere_ends_the_subscription(two_instances):
    a, b = two_instances
    customer, worker, booking_id = await booked(a.base, "revoked")
    async with live(b.base, customer.token) as session:
        updates = session.subscribe(BOOKING_UPDATED, id=booking_id)
        assert (await next_within(updates, 10))["bookingUpdated"]["version"] == 1
        await graphql(
            a.base,
            "mutation { logOutEverywhere { errors { code } } }",
            token=customer.token,
        )
        await act(a.base, worker, booking_id, "accept", 1)
        with pytest.raises(TransportQueryError) as ended:
            await next_within(updates)
    assert ended.value.errors[0]["extensions"]["code"] == "UNAUTHENTICATED"
