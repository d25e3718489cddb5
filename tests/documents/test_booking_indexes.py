"""Every list of bookings reads an index, never the whole collection.

Checked with `explain` on the filters the resolvers build (where the server
answers `explain` with a query plan: MongoDB and SecantusDB both do)."""

from __future__ import annotations

import json
from typing import Any

import pytest
from bson import ObjectId

from gigsta.domain.accounts import Role, Viewer
from gigsta.domain.bookings.actions import BookingStatus
from gigsta.resolvers.bookings.queries import (
    BOOKING_ORDER,
    booking_page_request,
    page_filter,
)
from tests.schema.test_query_counts import seed_bookings

ADMIN = Viewer(user_id=str(ObjectId()), role=Role.ADMIN, profile_id=None)


def _party(role: Role) -> Viewer:
    return Viewer(user_id=str(ObjectId()), role=role, profile_id=str(ObjectId()))


WORKER, CUSTOMER = _party(Role.WORKER), _party(Role.CUSTOMER)
PAGES = {
    "customer's page": (CUSTOMER, None, {}),
    "customer's page by status": (CUSTOMER, BookingStatus.ACCEPTED, {}),
    "worker's page": (WORKER, None, {}),
    "worker's page by status": (WORKER, BookingStatus.REQUESTED, {}),
    "admin's page": (ADMIN, None, {}),
    "admin's page by status": (ADMIN, BookingStatus.REQUESTED, {}),
    "a customer's bookings, as admin": (ADMIN, None, {"customer_id": ObjectId()}),
    "a worker's bookings by status, as admin": (
        ADMIN,
        BookingStatus.ACCEPTED,
        {"worker_id": ObjectId()},
    ),
    "nested: customers' bookings at once": (
        ADMIN,
        None,
        {"customer_id": {"$in": [ObjectId(), ObjectId()]}},
    ),
    "nested: workers' bookings as a worker": (
        WORKER,
        None,
        {"worker_id": {"$in": [ObjectId(WORKER.profile_id)]}},
    ),
}


def _stages(plan: Any) -> set[str]:
    text = json.dumps(plan, default=str)
    return {stage for stage in ("COLLSCAN", "IXSCAN") if f'"{stage}"' in text}


@pytest.mark.parametrize("name", list(PAGES))
async def test_list_queries_read_an_index(raw_db, name):
    await raw_db["bookings"].delete_many({})
    await seed_bookings(raw_db, 50)
    viewer, status, owner = PAGES[name]
    request = booking_page_request(first=20, after=None, last=None, before=None)
    query = page_filter(viewer, request, status, owner)
    explained = await raw_db.command(
        {
            "explain": {
                "find": "bookings",
                "filter": query,
                "sort": dict(request.sort(BOOKING_ORDER.keys)),
                "limit": request.size + 1,
            }
        }
    )
    plan = explained.get("queryPlanner", {}).get("winningPlan")
    if plan is None:
        pytest.skip("this server's explain gives no query plan")
    assert _stages(plan) == {"IXSCAN"}, (query, plan)


def _serves(keys: list[tuple[str, Any]], query: dict[str, Any], sort: dict) -> bool:
    """Whether an index answers a page without a blocking sort (MongoDB's
    equality-sort rule): the filter's fields (equalities, or `$in`, which
    MongoDB merges in order) first, in any order, then the sort keys, in
    order or all reversed."""
    head = {field for field, _ in keys[: len(query)]}
    tail = [
        (field, int(way)) for field, way in keys[len(query) : len(query) + len(sort)]
    ]
    wanted = [(field, int(way)) for field, way in sort.items()]
    return head == set(query) and tail in (wanted, [(f, -w) for f, w in wanted])


@pytest.mark.parametrize("name", list(PAGES))
async def test_list_queries_have_an_index_that_filters_and_sorts(raw_db, name):
    """`explain` on SecantusDB shows an index is read, not that the sort comes
    from it (its planner takes the first index matching the filter); on
    MongoDB a page whose index does not also give the order is a blocking
    sort of every match. So each page's filter and order must have an index
    of its own shape among those the migrations make."""
    viewer, status, owner = PAGES[name]
    request = booking_page_request(first=20, after=None, last=None, before=None)
    query = page_filter(viewer, request, status, owner)
    for value in query.values():
        assert not isinstance(value, dict) or set(value) == {"$in"}, query
    sort = dict(request.sort(BOOKING_ORDER.keys))
    indexes = (await raw_db["bookings"].index_information()).values()
    assert any(_serves(index["key"], query, sort) for index in indexes), query
