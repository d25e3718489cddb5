"""A page of bookings costs the same small number of MongoDB commands at any size."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from bson import ObjectId

from gigsta.resolvers.accounts.sign_in import create_admin
from tests.conftest import PASSWORD

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
    # attachments; price, payment, address and history are embedded. After the
    # account, one update of the caller's query-cost bucket.
    assert (
        counts[1]
        == counts[10]
        == counts[100]
        == ["find", "findAndModify"] + ["find"] * 4
    )
