"""A page of bookings costs the same small number of MongoDB commands at any size."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from bson import ObjectId

from gigsta.resolvers.accounts.sign_in import create_admin
from tests.conftest import PASSWORD
from tests.ids import raw_id

PAGE = """
query Page($first: Int) {
  bookings(first: $first) {
    edges { node {
      id status version
      customer { id name }
      worker { id name services { key } }
      history { action actorRole note at }
      availableActions { actionName isCritical }
      price { total gstIncluded workerPayout lineItems { code amount } }
      payment { status authorizedAmount }
      address { locality }
      attachments { id url }
    } }
    pageInfo { hasNextPage }
  }
}"""


async def seed_bookings(raw_db, count: int, worker_count: int = 9) -> None:
    now = datetime(2026, 11, 1, tzinfo=UTC)
    customers = [
        {
            "_id": ObjectId(),
            "user_id": ObjectId(),
            "name": f"C{i}",
            "country": "NZ",
            "created_at": now,
            "updated_at": now,
        }
        for i in range(12)
    ]
    workers = [
        {
            "_id": ObjectId(),
            "user_id": ObjectId(),
            "name": f"W{i}",
            "country": "NZ",
            "services": ["cleaning"],
            "hourly_rate_cents": 4000,
            "currency": "NZD",
            "bio": "",
            "created_at": now,
            "updated_at": now,
        }
        for i in range(worker_count)
    ]
    await raw_db["customers"].insert_many(customers)
    await raw_db["workers"].insert_many(workers)
    statuses = ["requested", "accepted", "in_progress", "completed", "closed"]
    bookings = []
    for i in range(count):
        created = now + timedelta(minutes=i)
        status = statuses[i % len(statuses)]
        bookings.append(
            {
                "customer_id": customers[i % len(customers)]["_id"],
                "worker_id": workers[i % len(workers)]["_id"],
                "service": "cleaning",
                "description": f"job {i}",
                "scheduled_start": created + timedelta(days=3),
                "scheduled_end": created + timedelta(days=3, hours=2),
                "status": status,
                "version": 2,
                "history": [
                    {
                        "action": "request",
                        "from_status": "requested",
                        "to_status": "requested",
                        "actor_role": "customer",
                        "actor_id": None,
                        "note": "The customer requested the booking.",
                        "reason": None,
                        "at": created,
                    },
                    {
                        "action": "x",
                        "from_status": "requested",
                        "to_status": status,
                        "actor_role": "worker",
                        "actor_id": None,
                        "note": "n",
                        "reason": None,
                        "at": created,
                    },
                ],
                "completed_at": created if status == "completed" else None,
                "created_at": created,
                "updated_at": created,
                "time_zone": "Pacific/Auckland",
            }
        )
    await raw_db["bookings"].insert_many(bookings)


@pytest.fixture
async def admin_token(gql):
    await create_admin(
        email="admin@example.nz", password=PASSWORD, now=datetime.now(UTC)
    )
    data = await gql(
        "mutation($i: LogInInput!) { logIn(input: $i) { token } }",
        {"i": {"email": "admin@example.nz", "password": PASSWORD}},
    )
    return data["logIn"]["token"]


async def test_booking_page_costs_constant_commands(
    gql, raw_db, admin_token, command_counter
):
    await seed_bookings(raw_db, 120)
    counts = {}
    for size in (1, 10, 100):
        command_counter.reset()
        data = await gql(PAGE, {"first": size}, token=admin_token)
        edges = data["bookings"]["edges"]
        assert len(edges) == size
        assert all(e["node"]["customer"] and e["node"]["worker"] for e in edges)
        counts[size] = list(command_counter.commands)
    # one find for the caller's account (every token is checked against it),
    # one for the page, then one batched $in each for customers, workers and
    # attachments; price, payment, address and history are embedded.
    assert counts[1] == counts[10] == counts[100] == ["find"] * 5


TALK = """
query Page($first: Int) {
  bookings(first: $first) {
    edges { node {
      id unreadCount
      messages(first: 3) { edges { node { body senderRole createdAt } } }
      reviews { rating authorRole }
      worker { rating { average count } reviews(first: 2) { edges { node { id } } } }
      customer { reviews(first: 2) { edges { node { id } } } }
    } }
  }
}"""


async def seed_talk(raw_db, customer_id: ObjectId) -> None:
    """Every booking belongs to the viewer, with messages and two revealed
    reviews each."""
    await raw_db["bookings"].update_many({}, {"$set": {"customer_id": customer_id}})
    messages, reviews = [], []
    async for booking in raw_db["bookings"].find({}):
        at = booking["created_at"]
        for i, role in enumerate(["customer", "worker", "worker", "admin"]):
            messages.append(
                {
                    "booking_id": booking["_id"],
                    "sender_id": ObjectId(),
                    "sender_role": role,
                    "body": f"m{i}",
                    "masked": False,
                    "created_at": at + timedelta(minutes=i),
                }
            )
        reviews.extend(
            {
                "booking_id": booking["_id"],
                "customer_id": customer_id,
                "worker_id": booking["worker_id"],
                "author_role": author,
                "author_id": ObjectId(),
                "rating": 4,
                "text": "ok",
                "created_at": at,
                "period_ends_at": at + timedelta(days=14),
                "revealed_at": at,
                "hidden": False,
                "moderation": [],
            }
            for author in ("customer", "worker")
        )
    await raw_db["booking_messages"].insert_many(messages)
    await raw_db["reviews"].insert_many(reviews)


async def test_messages_and_reviews_cost_constant_commands(
    gql, raw_db, command_counter
):
    token, viewer = await gql.sign_up("kim@example.nz")
    await seed_bookings(raw_db, 60)
    await seed_talk(raw_db, ObjectId(raw_id(viewer["customer"]["id"])))
    counts = {}
    for size in (1, 10, 50):
        command_counter.reset()
        data = await gql(TALK, {"first": size}, token=token)
        edges = data["bookings"]["edges"]
        assert len(edges) == size
        node = edges[0]["node"]
        assert node["unreadCount"] == 3
        assert [m["node"]["body"] for m in node["messages"]["edges"]] == [
            "m0",
            "m1",
            "m2",
        ]
        assert len(node["reviews"]) == 2
        assert node["worker"]["rating"]["count"] >= 1
        assert len(node["customer"]["reviews"]["edges"]) == 2
        counts[size] = sorted(command_counter.commands)
    # The account, the page, customers and workers
    # (as above); then one aggregate each for the messages' first pages, the
    # ratings and both parties' first pages of reviews; for unread counts the
    # read markers (find) and an aggregate; and one find for the bookings'
    # reviews.
    assert counts[1] == counts[10] == counts[50]
    assert counts[1] == sorted(["find"] * 6 + ["aggregate"] * 5)


NESTED = """
query Nested($first: Int) {
  bookings(first: $first) { edges { node {
    id
    customer { id bookings(first: 5) { edges { node { id customer { id } } } } }
    worker { id bookings(first: 5, status: REQUESTED) { edges { node { status } } } }
  } } }
}"""


async def test_nested_connections_cost_constant_commands(
    gql, raw_db, admin_token, command_counter
):
    """Each nested list is one batched query for all its parents."""
    await seed_bookings(raw_db, 120)
    counts = {}
    for size in (10, 20, 50, 100):
        command_counter.reset()
        data = await gql(NESTED, {"first": size}, token=admin_token)
        counts[size] = list(command_counter.commands)
        for edge in data["bookings"]["edges"]:
            customer = edge["node"]["customer"]
            nested = customer["bookings"]["edges"]
            assert len(nested) == 5
            assert {n["node"]["customer"]["id"] for n in nested} == {customer["id"]}
            worker = edge["node"]["worker"]["bookings"]["edges"]
            assert {n["node"]["status"] for n in worker} == {"REQUESTED"}
    # the account, the page, customers and workers,
    # then one aggregate for each nested list (their bookings' customers are
    # already loaded)
    # (in the order the loop happens to send them: compared as sets of counts)
    counts = {size: sorted(commands) for size, commands in counts.items()}
    assert counts[10] == counts[20] == counts[50] == counts[100]
    assert counts[100] == sorted(["find"] * 4 + ["aggregate"] * 2)


async def test_nested_pages_match_the_unbatched_list(gql, raw_db, admin_token):
    """A customer's nested page is the same as the customer's own list."""
    await seed_bookings(raw_db, 60)
    nested = await gql(NESTED, {"first": 3}, token=admin_token)
    for edge in nested["bookings"]["edges"]:
        customer = edge["node"]["customer"]
        alone = await gql(
            "query($id: ID!) { node(id: $id) { ... on Customer { "
            "bookings(first: 5) { edges { node { id } } } } } }",
            {"id": customer["id"]},
            token=admin_token,
        )
        expected = [e["node"]["id"] for e in alone["node"]["bookings"]["edges"]]
        assert [e["node"]["id"] for e in customer["bookings"]["edges"]] == expected
