"""Loading ahead: what a field's query selects below it (`lookahead.selected`),
and the page of bookings loading the parties its nodes ask for, so the nodes
complete without a coroutine and a task each."""

from __future__ import annotations

import asyncio
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import strawberry

from gigsta.schema.core.lookahead import selected
from tests.schema.test_query_counts import (  # noqa: F401 - the fixture
    admin_token,
    seed_bookings,
)


@strawberry.type
class Item:
    a: int
    b: int
    c: int


@strawberry.type
class Edge:
    node: Item


@strawberry.type
class Page:
    edges: list[Edge]
    total: int


SEEN: list[set[str]] = []


@strawberry.type
class Query:
    @strawberry.field
    def page(self, info: strawberry.Info) -> Page:
        SEEN.append(selected(info, "edges", "node"))
        return Page(edges=[], total=0)


SCHEMA = strawberry.Schema(query=Query)


def _seen(document: str, variables: dict[str, Any] | None = None) -> list[set[str]]:
    SEEN.clear()
    result = SCHEMA.execute_sync(document, variables)
    assert result.errors is None, result.errors
    return list(SEEN)


def test_the_fields_selected_below_a_path():
    assert _seen("{ page { total edges { node { a b } } } }") == [{"a", "b"}]
    assert _seen("{ page { total } }") == [set()]
    # field names, not aliases
    assert _seen("{ page { edges { node { x: a } } } }") == [{"a"}]


def test_fragments_count_and_skipped_fields_do_not():
    document = """query($with: Boolean!) {
      page { edges { ...E node { ... on Item { b } c @include(if: $with) } } }
    }
    fragment E on Edge { node { a } }"""
    assert _seen(document, {"with": True}) == [{"a", "b", "c"}]
    assert _seen(document, {"with": False}) == [{"a", "b"}]
    skipped = "{ page { edges @skip(if: true) { node { a } } } }"
    assert _seen(skipped) == [set()]


def test_each_place_a_field_is_asked_for_sees_its_own_selection():
    document = "{ one: page { edges { node { a } } } two: page { total } }"
    assert _seen(document) == [{"a"}, set()]


PARTIES = """
query Page($first: Int) {
  bookings(first: $first) {
    edges { node {
      id status
      customer { id name }
      worker { id name }
      price { total }
      availableActions { actionName }
    } }
  }
}"""


@contextmanager
def counting_tasks() -> Iterator[list[int]]:
    """Counts the tasks created on the running loop (one counter, reset by
    the caller between requests)."""
    loop = asyncio.get_running_loop()
    original = loop.get_task_factory()
    counted = [0]

    def factory(loop: Any, coro: Any, **kwargs: Any) -> Any:
        counted[0] += 1
        if original is not None:
            return original(loop, coro, **kwargs)
        return asyncio.Task(coro, loop=loop, **kwargs)

    loop.set_task_factory(factory)
    try:
        yield counted
    finally:
        loop.set_task_factory(original)


async def test_a_page_of_bookings_completes_with_the_same_tasks_at_any_size(
    gql,
    raw_db,
    admin_token,  # noqa: F811 - the fixture
):
    await seed_bookings(raw_db, 40)
    # this caller's first request with this document does more once (its
    # query-cost share, the document's parse and validation): not counted
    await gql(PARTIES, {"first": 1}, token=admin_token)
    tasks = {}
    with counting_tasks() as counted:
        for size in (1, 20, 40):
            counted[0] = 0
            data = await gql(PARTIES, {"first": size}, token=admin_token)
            edges = data["bookings"]["edges"]
            assert len(edges) == size
            assert all(e["node"]["customer"]["name"] for e in edges)
            assert all(e["node"]["worker"]["name"] for e in edges)
            tasks[size] = counted[0]
    # the parties are loaded with the page, one batch each: no node waits
    assert tasks[1] == tasks[20] == tasks[40], tasks


async def test_a_missing_party_fails_its_own_field(
    gql,
    raw_db,
    admin_token,  # noqa: F811 - the fixture
):
    await seed_bookings(raw_db, 3, worker_count=3)
    newest = await raw_db["bookings"].find_one(sort=[("created_at", -1)])
    await raw_db["workers"].delete_one({"_id": newest["worker_id"]})
    response = await gql.raw(PARTIES, {"first": 3}, token=admin_token)
    body = response.json()
    assert body["data"] == {"bookings": None}  # non-null up to the list
    [error] = body["errors"]
    assert error["path"][-1] == "worker"
    assert error["path"][:3] == ["bookings", "edges", error["path"][2]]
    assert error["message"] != ""
