"""The admin's first pages read within a learned range of the `created_at`
index (`gigsta.resolvers.core.newest_pages`): always the plain query's page,
whatever changed since the bound was learned."""

from __future__ import annotations

from datetime import timedelta

from gigsta.documents import Booking
from gigsta.resolvers.bookings.queries import BOOKING_ORDER
from gigsta.resolvers.core.newest_pages import NewestPages
from gigsta.resolvers.core.pagination import PageRequest
from tests.schema.test_query_counts import (  # noqa: F401 - the fixture
    admin_token,
    seed_bookings,
)

SORT = PageRequest(size=20).sort(BOOKING_ORDER.keys)
LIMIT = 21

PAGE = """query($status: BookingStatus) {
  bookings(first: 20, status: $status) { edges { node { id } } } }"""


async def _plain(query: dict) -> list:
    docs = await Booking.find(query).sort(SORT).limit(LIMIT).to_list()
    return [doc.id for doc in docs]


async def _read(pages: NewestPages, query: dict) -> list:
    return [doc.id for doc in await pages.find(Booking, query, SORT, LIMIT)]


async def test_a_first_page_is_the_plain_query_s_whatever_changed(
    app, raw_db, command_counter
):
    await seed_bookings(raw_db, 150)
    pages = NewestPages()
    requested = {"status": "requested"}
    for query in ({}, requested):
        command_counter.reset()
        assert await _read(pages, query) == await _plain(query)
        # nothing learned yet: the plain query
        assert command_counter.find_filters[0] == query

    # Learned: one range from where the last page ended.
    newest = await Booking.find({}).sort(SORT).limit(LIMIT).to_list()
    command_counter.reset()
    assert await _read(pages, {}) == await _plain({})
    assert command_counter.find_filters[0] == {
        "created_at": {"$gte": newest[-1].created_at}
    }
    assert len(command_counter.find_filters) == 2  # with the plain one's

    # Newer bookings are in the range.
    latest = newest[0].created_at
    await raw_db["bookings"].insert_many(
        [
            {**newest[0].model_dump(by_alias=True, exclude={"id"}), "status": status}
            | {"created_at": latest + timedelta(seconds=s)}
            for s, status in ((1, "requested"), (2, "closed"))
        ]
    )
    for query in ({}, requested):
        command_counter.reset()
        assert await _read(pages, query) == await _plain(query)
        assert len(command_counter.find_filters) == 2  # one range, the plain query

    # Bookings gone from the range, or no longer of the status: the rest is
    # read below it.
    learned = await Booking.find(requested).sort(SORT).limit(LIMIT).to_list()
    await raw_db["bookings"].update_many(
        {"_id": {"$in": [doc.id for doc in learned[:3]]}},
        {"$set": {"status": "accepted"}},
    )
    await raw_db["bookings"].delete_many(
        {"_id": {"$in": [doc.id for doc in newest[2:6]]}}
    )
    for query in ({}, requested):
        command_counter.reset()
        assert await _read(pages, query) == await _plain(query)
        below = command_counter.find_filters[1]["created_at"]
        assert list(below) == ["$lt"]

    # A list shorter than a page: all of it, in order, every time.
    for _ in range(2):
        assert await _read(pages, {"status": "nothing"}) == []
        assert await _read(pages, {"service": "cleaning", "status": "closed"}) == (
            await _plain({"service": "cleaning", "status": "closed"})
        )


async def test_the_admin_s_page_reads_a_page_of_index_keys(
    gql,
    raw_db,
    admin_token,  # noqa: F811 - the fixture
    command_counter,
):
    """On SecantusDB the plain first page examines every booking's key; once
    the bound is learned it examines the page's (checked with `explain`)."""
    await seed_bookings(raw_db, 200)
    for status in (None, "COMPLETED"):
        first = await gql(PAGE, {"status": status}, token=admin_token)
        command_counter.reset()
        again = await gql(PAGE, {"status": status}, token=admin_token)
        assert again == first
        (page_filter,) = [f for f in command_counter.find_filters if "created_at" in f]
        explained = await raw_db.command(
            "explain",
            {
                "find": "bookings",
                "filter": page_filter,
                "sort": {"created_at": -1, "_id": -1},
                "limit": LIMIT,
            },
            verbosity="executionStats",
        )
        stats = explained["executionStats"]
        assert stats["nReturned"] == LIMIT
        assert stats["totalDocsExamined"] <= LIMIT * (1 if status is None else 5)
