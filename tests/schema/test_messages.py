"""Booking messages over GraphQL/HTTP: who may write and read, masking before
acceptance, body limits, read markers and the per-user rate limit."""

from __future__ import annotations

from datetime import timedelta

import pytest

from gigsta.domain.messages import MAX_MESSAGE_LENGTH, MESSAGES_PER_WINDOW
from tests.ids import global_id
from tests.schema.messages_helpers import (
    MARK_READ,
    MESSAGES,
    codes,
    requested_booking,
    send,
)
from tests.schema.payments_helpers import admin_token, must, parties


@pytest.fixture
async def setting(gql, clock):
    p = await parties(gql, clock)
    booking = await requested_booking(gql, p, clock)
    return p, booking


async def read(gql, token, booking_id, **paging):
    data = await gql(MESSAGES, {"id": booking_id, **paging}, token=token)
    return data["booking"]


async def test_parties_and_admins_talk_oldest_first(gql, clock, setting):
    p, booking = setting
    admin = await admin_token(gql, clock)
    sent = await send(gql, p.customer_token, booking["id"], "  Is Tuesday ok?  ")
    assert sent["errors"] == []
    assert sent["message"]["body"] == "Is Tuesday ok?"
    assert sent["message"]["senderRole"] == "CUSTOMER"
    assert sent["message"]["senderId"] == global_id("User", p.customer.user_id)
    # The booking's time zone, like every booking time.
    assert sent["message"]["createdAt"] == "2026-11-02T22:00:00+13:00"
    clock.advance(timedelta(minutes=1))
    assert (await send(gql, p.worker_token, booking["id"], "Yes"))["errors"] == []
    clock.advance(timedelta(minutes=1))
    assert (await send(gql, admin, booking["id"], "Support here"))["errors"] == []
    expected = [
        ("Is Tuesday ok?", "CUSTOMER"),
        ("Yes", "WORKER"),
        ("Support here", "ADMIN"),
    ]
    for token in (p.customer_token, p.worker_token, admin):
        seen = await read(gql, token, booking["id"])
        edges = seen["messages"]["edges"]
        assert [(e["node"]["body"], e["node"]["senderRole"]) for e in edges] == expected


async def test_pages_forward_and_backward(gql, clock, setting):
    p, booking = setting
    for i in range(5):
        assert (await send(gql, p.customer_token, booking["id"], f"m{i}"))[
            "errors"
        ] == []
        clock.advance(timedelta(seconds=1))
    first = await read(gql, p.worker_token, booking["id"], first=2)
    assert [e["node"]["body"] for e in first["messages"]["edges"]] == ["m0", "m1"]
    assert first["messages"]["pageInfo"]["hasNextPage"] is True
    after = first["messages"]["pageInfo"]["endCursor"]
    second = await read(gql, p.worker_token, booking["id"], first=2, after=after)
    assert [e["node"]["body"] for e in second["messages"]["edges"]] == ["m2", "m3"]
    last = await read(gql, p.worker_token, booking["id"], last=2)
    assert [e["node"]["body"] for e in last["messages"]["edges"]] == ["m3", "m4"]


async def test_strangers_cannot_write_or_read(gql, clock, setting):
    p, booking = setting
    others = await parties(gql, clock)
    for token in (others.customer_token, others.worker_token):
        assert codes(await send(gql, token, booking["id"], "hi")) == ["NOT_FOUND"]
        assert await read(gql, token, booking["id"]) is None
    assert codes(await send(gql, None, booking["id"], "hi")) == ["UNAUTHENTICATED"]
    wrong = await send(gql, p.customer_token, p.worker_id, "hi")
    assert [(e["field"], e["code"]) for e in wrong["errors"]] == [
        ("bookingId", "INVALID")
    ]


@pytest.mark.parametrize(
    ("body", "code"),
    [
        ("", "INVALID"),
        ("   \n ", "INVALID"),
        ("x" * (MAX_MESSAGE_LENGTH + 1), "TOO_LONG"),
    ],
)
async def test_body_limits(gql, setting, raw_db, body, code):
    p, booking = setting
    refused = await send(gql, p.customer_token, booking["id"], body)
    assert [(e["field"], e["code"]) for e in refused["errors"]] == [("body", code)]
    assert refused["message"] is None
    assert await raw_db["booking_messages"].count_documents({}) == 0


async def test_contact_details_masked_until_accepted(gql, clock, setting, raw_db):
    p, booking = setting
    text = "Ring 021 123 4567 or mail mere@example.nz"
    before = await send(gql, p.worker_token, booking["id"], text)
    assert before["message"]["body"] == "Ring [phone hidden] or mail [email hidden]"
    assert before["message"]["masked"] is True
    # Stored masked: no later reader can see what was hidden.
    stored = await raw_db["booking_messages"].find_one({})
    assert "021" not in stored["body"]
    customer_view = await read(gql, p.customer_token, booking["id"])
    assert customer_view["messages"]["edges"][0]["node"]["masked"] is True
    await must(gql, p.worker_token, booking, "accept")
    after = await send(gql, p.worker_token, booking["id"], text)
    assert after["message"] == {**after["message"], "body": text, "masked": False}


async def test_messages_close_with_the_booking(gql, setting):
    p, booking = setting
    await must(gql, p.customer_token, booking, "cancel")
    refused = await send(gql, p.customer_token, booking["id"], "hello?")
    assert codes(refused) == ["INVALID_TRANSITION"]


async def test_unread_counts_and_read_markers(gql, clock, setting):
    p, booking = setting
    admin = await admin_token(gql, clock)
    await send(gql, p.customer_token, booking["id"], "one")
    await send(gql, p.customer_token, booking["id"], "two")
    clock.advance(timedelta(seconds=1))
    await send(gql, admin, booking["id"], "from support")
    assert (await read(gql, p.worker_token, booking["id"]))["unreadCount"] == 3
    # Writing reads what came before.
    assert (await read(gql, p.customer_token, booking["id"]))["unreadCount"] == 1
    assert (await read(gql, admin, booking["id"]))["unreadCount"] is None
    clock.advance(timedelta(seconds=1))
    marked = await gql(
        MARK_READ, {"input": {"bookingId": booking["id"]}}, token=p.worker_token
    )
    assert marked["markBookingMessagesRead"] == {
        "booking": {"id": booking["id"], "unreadCount": 0},
        "errors": [],
    }
    clock.advance(timedelta(seconds=1))
    await send(gql, p.customer_token, booking["id"], "three")
    assert (await read(gql, p.worker_token, booking["id"]))["unreadCount"] == 1
    by_admin = await gql(
        MARK_READ, {"input": {"bookingId": booking["id"]}}, token=admin
    )
    assert codes(by_admin["markBookingMessagesRead"]) == ["NOT_ALLOWED"]


async def test_rate_limited_per_user(gql, clock, setting):
    p, booking = setting
    for i in range(MESSAGES_PER_WINDOW):
        assert (await send(gql, p.customer_token, booking["id"], f"m{i}"))[
            "errors"
        ] == []
    refused = await send(gql, p.customer_token, booking["id"], "one more")
    assert codes(refused) == ["RATE_LIMITED"]
    # Another user is not held back; the next window lets the first one in.
    assert (await send(gql, p.worker_token, booking["id"], "hi"))["errors"] == []
    clock.advance(timedelta(minutes=1))
    assert (await send(gql, p.customer_token, booking["id"], "again"))["errors"] == []


async def test_each_message_writes_its_event(gql, setting, raw_db, clock):
    p, booking = setting
    sent = await send(gql, p.worker_token, booking["id"], "Ring 021 123 4567")
    stored = await raw_db["booking_messages"].find_one({})
    (event,) = (
        await raw_db["events"].find({"type": "booking.message_created"}).to_list()
    )
    assert event["booking_id"] == stored["booking_id"]
    assert event["actor_role"] == "worker"
    assert event["actor_id"] == p.worker.user_id
    assert event["at"] == clock.now
    # What the event carries is what was stored: masked before acceptance.
    assert event["data"] == {
        "message_id": str(stored["_id"]),
        "body": sent["message"]["body"],
        "masked": True,
    }
    assert event["outbox"]["status"] == "pending"
    # A refused message writes neither.
    await send(gql, p.worker_token, booking["id"], " ")
    assert (
        await raw_db["events"].count_documents({"type": "booking.message_created"}) == 1
    )


async def test_a_message_by_id_only_for_those_who_see_its_booking(gql, clock, setting):
    p, booking = setting
    sent = await send(gql, p.customer_token, booking["id"], "hello")
    message_id = sent["message"]["id"]
    query = "query($id: ID!) { node(id: $id) { ... on BookingMessage { body } } }"
    for token in (p.customer_token, p.worker_token, await admin_token(gql, clock)):
        assert (await gql(query, {"id": message_id}, token=token))["node"] == {
            "body": "hello"
        }
    others = await parties(gql, clock)
    for token in (others.customer_token, others.worker_token):
        assert (await gql(query, {"id": message_id}, token=token))["node"] is None
