"""Connections page both ways (`first`/`after`, `last`/`before`), with the
same items in the same order, and `pageInfo` true at both ends."""

from __future__ import annotations

import pytest
from bson import ObjectId

from tests.schema.payments_helpers import admin_token
from tests.schema.test_query_counts import seed_bookings

BOOKINGS = """query($first: Int, $after: String, $last: Int, $before: String) {
  bookings(first: $first, after: $after, last: $last, before: $before) {
    edges { cursor node { id } }
    pageInfo { hasNextPage hasPreviousPage startCursor endCursor } } }"""

WORKERS = """query($first: Int, $after: String, $last: Int, $before: String) {
  workers(first: $first, after: $after, last: $last, before: $before) {
    edges { cursor node { id } }
    pageInfo { hasNextPage hasPreviousPage startCursor endCursor } } }"""


@pytest.fixture
async def admin(gql, clock):
    return await admin_token(gql, clock)


async def walk(gql, query, field, token, *, backward, size):
    """Every page of the list, following `pageInfo` one way; the pages as read."""
    pages, cursor = [], None
    while True:
        variables = (
            {"last": size, "before": cursor}
            if backward
            else {"first": size, "after": cursor}
        )
        page = (await gql(query, variables, token=token))[field]
        pages.append(page)
        info = page["pageInfo"]
        if not (info["hasPreviousPage"] if backward else info["hasNextPage"]):
            return pages
        cursor = info["startCursor"] if backward else info["endCursor"]


def ids(pages):
    return [[e["node"]["id"] for e in page["edges"]] for page in pages]


@pytest.mark.parametrize(
    ("query", "field"), [(BOOKINGS, "bookings"), (WORKERS, "workers")]
)
async def test_backward_paging_reads_forward_paging_reversed(
    gql, raw_db, admin, query, field
):
    await seed_bookings(raw_db, 23, worker_count=23)
    forward = await walk(gql, query, field, admin, backward=False, size=5)
    backward = await walk(gql, query, field, admin, backward=True, size=5)
    forward_ids = [i for page in ids(forward) for i in page]
    assert len(forward_ids) == len(set(forward_ids)) == 23
    # Pages backward come from the end, each still in the list's own order.
    assert [i for page in reversed(ids(backward)) for i in page] == forward_ids
    assert [len(p) for p in ids(backward)] == [5, 5, 5, 5, 3]
    assert [len(p) for p in ids(forward)] == [5, 5, 5, 5, 3]

    first, last = forward[0]["pageInfo"], forward[-1]["pageInfo"]
    assert (first["hasPreviousPage"], first["hasNextPage"]) == (False, True)
    assert (last["hasPreviousPage"], last["hasNextPage"]) == (True, False)
    assert first["startCursor"] == forward[0]["edges"][0]["cursor"]
    assert first["endCursor"] == forward[0]["edges"][-1]["cursor"]
    end, start = backward[0]["pageInfo"], backward[-1]["pageInfo"]
    assert (end["hasPreviousPage"], end["hasNextPage"]) == (True, False)
    assert (start["hasPreviousPage"], start["hasNextPage"]) == (False, True)
    assert start["startCursor"] == backward[-1]["edges"][0]["cursor"]
    # Cursors are the same whichever way a page was read.
    assert backward[0]["edges"][-3:] == forward[-1]["edges"]


async def test_both_bounds_give_the_items_between(gql, raw_db, admin):
    await seed_bookings(raw_db, 10)
    everything = (await gql(BOOKINGS, {"first": 10}, token=admin))["bookings"]
    cursors = [e["cursor"] for e in everything["edges"]]
    bounds = {"after": cursors[2], "before": cursors[7]}
    between = (await gql(BOOKINGS, {"first": 10, **bounds}, token=admin))["bookings"]
    assert between["edges"] == everything["edges"][3:7]
    backward = (await gql(BOOKINGS, {"last": 2, **bounds}, token=admin))["bookings"]
    assert backward["edges"] == everything["edges"][5:7]
    assert backward["pageInfo"]["hasPreviousPage"] is True


async def test_an_empty_list_has_no_pages_either_way(gql, admin):
    for variables in ({"first": 5}, {"last": 5}):
        page = (await gql(BOOKINGS, variables, token=admin))["bookings"]
        assert page == {
            "edges": [],
            "pageInfo": {
                "hasNextPage": False,
                "hasPreviousPage": False,
                "startCursor": None,
                "endCursor": None,
            },
        }


async def bad_input(gql, query, variables, token=None):
    response = await gql.raw(query, variables, token=token)
    body = response.json()
    assert response.status_code == 200, body
    (error,) = body["errors"]
    assert error["extensions"]["code"] == "BAD_USER_INPUT", error
    return error["message"]


async def test_first_and_last_together_are_refused(gql, admin):
    message = await bad_input(gql, WORKERS, {"first": 2, "last": 2})
    assert "not both" in message
    await bad_input(gql, BOOKINGS, {"first": 2, "last": 2}, admin)


async def test_negative_last_is_refused(gql):
    assert "`last`" in await bad_input(gql, WORKERS, {"last": -1})


@pytest.mark.parametrize("field", ["after", "before"])
async def test_a_cursor_from_another_list_or_made_up_is_refused(
    gql, raw_db, admin, field
):
    await seed_bookings(raw_db, 3)
    workers = (await gql(WORKERS, {"first": 1}))["workers"]
    worker_cursor = workers["pageInfo"]["endCursor"]
    await bad_input(gql, BOOKINGS, {field: worker_cursor}, admin)
    await bad_input(gql, WORKERS, {field: "not-a-cursor"})
    await bad_input(gql, WORKERS, {field: str(ObjectId())})
