"""Every GraphQL document is bounded before any walk that could grow with it.

These documents once held the event loop for seconds or forever: each is now
refused with HTTP 400 and a coded error. The tests check the refusal and the
code, never the time (bench/query_guard.py measures that).
"""

from __future__ import annotations

import asyncio
import gc
import json

import pytest
from graphql import GraphQLSyntaxError, Location, Node, Token

from gigsta.schema.core.document_extension import parse_acyclic
from tests.ids import global_id


def fragment_doubling(levels: int) -> str:
    """`F0` spreads `F1` twice, `F1` spreads `F2` twice, ...: 2^levels paths."""
    fragments = [
        f"fragment F{i} on Query {{ ...F{i + 1} ...F{i + 1} }}" for i in range(levels)
    ]
    fragments.append(f"fragment F{levels} on Query {{ __typename }}")
    return "query { ...F0 } " + " ".join(fragments)


def nested_workers(depth: int) -> str:
    """A query exactly `depth` fields deep (the root field counts as 1), on
    pages of two, so that only its depth can refuse it."""
    cycle = ["bookings(first: 2)", "edges", "node", "worker"]
    path = ["workers(first: 2)", "edges", "node"]
    while len(path) < depth - 1:
        path.append(cycle[(len(path) - 3) % 4])
    return "{ " + " { ".join(path) + " { __typename" + " }" * depth


def error_codes(response) -> list[str]:
    return [e["extensions"]["code"] for e in response.json()["errors"]]


# 14 levels stay within the bound on fragment spreads (29): the fields, counted
# once per fragment and multiplied where it is spread, refuse it.
@pytest.mark.parametrize("levels", [14, 30, 100])
async def test_fragment_doubling_is_refused(gql, levels):
    response = await gql.raw(fragment_doubling(levels))
    assert response.status_code == 400
    assert error_codes(response) == ["QUERY_TOO_COMPLEX"]
    assert response.json()["data"] is None


async def test_a_few_doubled_fragments_are_fine(gql):
    response = await gql.raw(fragment_doubling(3))
    assert response.status_code == 200, response.text
    assert response.json()["data"] == {"__typename": "Query"}


async def test_depth_counts_every_field_on_the_longest_path(gql):
    assert nested_workers(13).count("{") == 13
    response = await gql.raw(nested_workers(13))
    assert response.status_code == 400
    assert error_codes(response) == ["QUERY_TOO_DEEP"]
    assert (await gql.raw(nested_workers(12))).status_code == 200


async def test_depth_follows_fragments(gql):
    fragment = nested_workers(13).replace(
        "{ workers(first: 2) {",
        "{ ...Deep } fragment Deep on Query { workers(first: 2) {",
        1,
    )
    response = await gql.raw(fragment)
    assert response.status_code == 400
    assert error_codes(response) == ["QUERY_TOO_DEEP"]


async def test_many_repeated_cheap_fields_are_refused(gql):
    response = await gql.raw("{ " + "__typename " * 1200 + "}")
    assert response.status_code == 400
    assert error_codes(response) == ["QUERY_TOO_COMPLEX"]


async def test_one_field_repeated_in_a_selection_is_refused(gql):
    response = await gql.raw("{ " + "services { key } " * 11 + "}")
    assert response.status_code == 400
    assert error_codes(response) == ["QUERY_TOO_COMPLEX"]
    assert (await gql.raw("{ " + "services { key } " * 10 + "}")).status_code == 200


async def test_many_fields_through_fragments_are_refused(gql):
    fields = " ".join(f"a{i}: __typename" for i in range(25))
    spreads = " ".join(f"...F{i}" for i in range(25))
    fragments = " ".join(f"fragment F{i} on Query {{ {fields} }}" for i in range(25))
    response = await gql.raw(f"{{ {spreads} }} {fragments}")
    assert response.status_code == 400
    assert set(error_codes(response)) <= {"QUERY_TOO_COMPLEX", "TOO_MANY_ALIASES"}


async def test_aliases_are_counted_through_fragments(gql):
    aliases = " ".join(f"a{i}: services {{ key }}" for i in range(20))
    doc = f"{{ ...A ...B }} fragment A on Query {{ {aliases} }} "
    doc += f"fragment B on Query {{ {aliases.replace('a', 'b')} }}"
    response = await gql.raw(doc)
    assert response.status_code == 400
    assert error_codes(response) == ["TOO_MANY_ALIASES"]


WORKER_BOOKINGS = (
    "edges { node { id bookings(first: 100) { edges { node { id status } } } } }"
)


async def test_nested_pages_that_could_return_too_many_objects_are_refused(gql):
    """5 aliases x (100 workers + 100 x 100 bookings) = 50,500 objects."""
    lists = f"workers(first: 100) {{ {WORKER_BOOKINGS} }}"
    doc = "{ " + " ".join(f"a{i}: {lists}" for i in range(5)) + " }"
    response = await gql.raw(doc)
    assert response.status_code == 400
    assert error_codes(response) == ["QUERY_TOO_COMPLEX"]
    assert "objects" in response.json()["errors"][0]["message"]


async def test_objects_within_the_bound_are_fine(gql):
    """The default page of 20 workers x 100 runs; 40 workers x 100 bookings
    (4,040 objects) passes this bound and is refused by the cost alone."""
    response = await gql.raw(f"{{ workers {{ {WORKER_BOOKINGS} }} }}")
    assert response.status_code == 200, response.json()
    response = await gql.raw(f"{{ workers(first: 40) {{ {WORKER_BOOKINGS} }} }}")
    assert error_codes(response) == ["MAX_COST_EXCEEDED"]


@pytest.mark.parametrize(("first", "status"), [(100, 400), (10, 200)])
async def test_a_page_size_given_as_a_variable_counts(gql, first, status):
    doc = f"query($n: Int) {{ workers(first: $n) {{ {WORKER_BOOKINGS} }} }}"
    response = await gql.raw(doc, {"n": first})
    assert response.status_code == status


@pytest.mark.parametrize(("last", "status"), [(100, 400), (10, 200)])
async def test_a_backward_page_size_counts_like_first(gql, last, status):
    """`last` bounds a page as `first` does: 100 x 100 bookings is too many."""
    backward = WORKER_BOOKINGS.replace("first: 100", "last: $n")
    doc = f"query($n: Int) {{ workers(last: $n) {{ {backward} }} }}"
    response = await gql.raw(doc, {"n": last})
    assert response.status_code == status, response.json()


@pytest.mark.parametrize(("count", "status"), [(100, 400), (30, 200)])
async def test_nodes_count_one_object_per_id(gql, count, status):
    """`nodes` of 100 ids, each with 100 bookings, is as costly as 100 workers'."""
    ids = [global_id("Worker", f"{i:024x}") for i in range(count)]
    bookings = "... on Worker { bookings(first: 100) { edges { node { id } } } }"
    as_variable = f"query($ids: [ID!]!) {{ nodes(ids: $ids) {{ {bookings} }} }}"
    response = await gql.raw(as_variable, {"ids": ids})
    assert response.status_code == status, response.json()
    literal = json.dumps(ids)
    response = await gql.raw(f"{{ nodes(ids: {literal}) {{ {bookings} }} }}")
    assert response.status_code == status, response.json()


async def test_objects_are_multiplied_through_fragments(gql):
    """A fragment's pages count once per object of the list it is spread in."""
    doc = (
        "{ a: workers(first: 30) { edges { node { ...W } } } "
        "b: workers(first: 30) { edges { node { ...W } } } } "
        "fragment W on Worker { bookings(first: 100) { edges { node { id } } } }"
    )
    response = await gql.raw(doc)
    assert response.status_code == 400
    assert error_codes(response) == ["QUERY_TOO_COMPLEX"]


async def test_too_many_tokens_are_refused_before_parsing(gql):
    response = await gql.raw("{ " + "services { key } " * 1700 + "}")
    assert response.status_code == 400
    assert error_codes(response) == ["QUERY_TOO_LARGE"]


async def test_a_large_document_is_refused(gql):
    response = await gql.raw("{ services { key } }" + " " * 40_000)
    assert response.status_code == 400
    assert error_codes(response) == ["QUERY_TOO_LARGE"]


async def test_deeply_nested_variables_get_a_graphql_error(http):
    variables = "[" * 5000 + "]" * 5000
    body = '{"query": "query($v: String) { services { key } }", "variables": {"v": '
    response = await http.post(
        "/graphql",
        content=(body + variables + "}}").encode(),
        headers={"content-type": "application/json"},
    )
    assert response.status_code == 400
    assert response.headers["content-type"].startswith("application/json")
    assert error_codes(response) == ["BAD_REQUEST"]


async def test_variables_nested_within_the_json_parser_limit_are_refused(http):
    variables = {"v": json.loads("[" * 200 + "]" * 200)}
    response = await http.post(
        "/graphql",
        json={
            "query": "query($v: String) { services { key } }",
            "variables": variables,
        },
    )
    assert response.status_code == 400
    assert error_codes(response) == ["VARIABLES_TOO_DEEP"]


async def test_a_body_that_is_not_json_gets_a_graphql_error(http):
    response = await http.post(
        "/graphql", content=b'{"query": ', headers={"content-type": "application/json"}
    )
    assert response.status_code == 400
    assert error_codes(response) == ["BAD_REQUEST"]


async def test_the_introspection_query_passes_the_limits(gql):
    from graphql import get_introspection_query

    response = await gql.raw(get_introspection_query(descriptions=True))
    assert response.status_code == 200, response.text
    assert response.json()["data"]["__schema"]["queryType"]["name"] == "Query"


class _CollectorWatch:
    """Cyclic garbage made inside a `with` block: the collector is kept off
    there, and what it then finds unreachable is kept for inspection."""

    def __enter__(self) -> _CollectorWatch:
        gc.collect()
        gc.disable()
        gc.set_debug(gc.DEBUG_SAVEALL)
        return self

    def __exit__(self, *exc_info: object) -> None:
        gc.collect()
        self.garbage = [type(found) for found in gc.garbage]
        gc.garbage.clear()
        gc.set_debug(0)
        gc.enable()

    def ast_types(self) -> set[str]:
        return {
            kind.__name__
            for kind in self.garbage
            if issubclass(kind, (Node, Token, Location))
        }


def test_a_parsed_document_is_freed_without_the_collector():
    with _CollectorWatch() as watch:
        parse_acyclic(fragment_doubling(20), max_tokens=5_000)
    assert watch.ast_types() == set()


def test_a_document_that_fails_to_parse_is_freed_without_the_collector():
    with _CollectorWatch() as watch:
        with pytest.raises(GraphQLSyntaxError, match="Parsing aborted"):
            parse_acyclic("{ " + "a " * 200 + "}", max_tokens=100)
        with pytest.raises(GraphQLSyntaxError, match="nested too deeply"):
            parse_acyclic("{" + "a{" * 300 + "b" + "}" * 301, max_tokens=5_000)
    assert watch.ast_types() == set()


@pytest.mark.parametrize(
    "query",
    [
        fragment_doubling(100),
        "{ " + "__typename " * 1200 + "}",
        "{ " + "a " * 6000 + "}",
    ],
    ids=["doubling", "repeated-fields", "too-many-tokens"],
)
async def test_a_refused_document_leaves_no_cycle_behind(gql, query):
    """A burst of refused documents once left each one's whole syntax tree
    to the collector, whose full passes then stopped the server for hundreds
    of milliseconds (bench/query_guard.py)."""
    await gql.raw("{ __typename }")  # the app's own first-request set-up
    with _CollectorWatch() as watch:
        response = await gql.raw(query)
        await asyncio.sleep(0.1)  # the worker thread's last references go
    assert response.status_code == 400
    assert watch.ast_types() == set()
