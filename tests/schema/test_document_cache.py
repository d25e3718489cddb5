"""Documents are parsed and validated once per text; the limits still apply to
every request, and nothing a cached entry holds can hide a refusal."""

from __future__ import annotations

from graphql import parse
from graphql.validation import specified_rules

from gigsta.schema.core.document_cache import DocumentCache
from gigsta.schema.core.document_extension import DocumentLimitsExtension
from tests.schema.test_document_limits import WORKER_BOOKINGS

RULES = tuple(specified_rules)


def test_entries_and_characters_are_bounded():
    schema = object()
    cache = DocumentCache(max_entries=2, max_characters=50)
    for text in ("{ a }", "{ b }", "{ c }"):
        cache.keep(schema, text, parse(text), RULES)  # type: ignore[arg-type]
    assert len(cache) == 2
    assert cache.parsed(schema, "{ a }") is None  # type: ignore[arg-type]
    assert cache.is_valid(schema, "{ c }", RULES)  # type: ignore[arg-type]
    big = "{ " + "x " * 21 + " }"  # 46 characters
    cache.keep(schema, big, parse(big), RULES)  # type: ignore[arg-type]
    assert len(cache) == 1  # the two small ones made room for it


def test_a_document_is_valid_only_for_its_schema_and_rules():
    cache = DocumentCache()
    schema, other = object(), object()
    cache.keep(schema, "{ a }", parse("{ a }"), RULES)  # type: ignore[arg-type]
    assert not cache.is_valid(other, "{ a }", RULES)  # type: ignore[arg-type]
    assert not cache.is_valid(schema, "{ a }", RULES[:-1])  # type: ignore[arg-type]


async def test_a_known_document_is_served_from_the_cache(gql):
    query = "{ services { key } }"
    first = await gql(query)
    cache = DocumentLimitsExtension.cache
    known = [key for key in cache._entries if key[1] == query]
    assert len(known) == 1
    document = cache._entries[known[0]].document
    assert await gql(query) == first
    assert cache._entries[known[0]].document is document  # not parsed again


async def test_the_variables_limits_apply_to_a_cached_document(gql):
    doc = f"query($n: Int) {{ workers(first: $n) {{ {WORKER_BOOKINGS} }} }}"
    assert (await gql.raw(doc, {"n": 10})).status_code == 200
    assert (await gql.raw(doc, {"n": 10})).status_code == 200
    refused = await gql.raw(doc, {"n": 100})
    assert refused.status_code == 400
    assert refused.json()["errors"][0]["extensions"]["code"] == "QUERY_TOO_COMPLEX"


async def test_an_invalid_document_is_refused_every_time(gql):
    for _ in range(2):
        response = await gql.raw("{ services { nope } }")
        assert response.status_code == 400
        code = response.json()["errors"][0]["extensions"]["code"]
        assert code == "GRAPHQL_VALIDATION_FAILED"
