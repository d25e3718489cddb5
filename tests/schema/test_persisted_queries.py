"""Automatic persisted queries over HTTP, as Apollo Client and urql send them:
the hash alone first (POST, or GET with JSON-encoded `extensions`), then,
told `PersistedQueryNotFound`, the document with its hash."""

from __future__ import annotations

import hashlib
import json
import uuid
from datetime import UTC, datetime

import httpx
import pytest

from gigsta.resolvers.core.persisted_queries import PersistedQueryStore
from scripts.processes import stop_process
from scripts.standins.mongo import start_mongo
from tests.served_app import serve

# What Apollo Client's HTTP link sends as Accept; urql's is much the same.
ACCEPT = {"accept": "application/graphql-response+json,application/json;q=0.9"}


def unique(document: str) -> str:
    """`document` with a comment that makes its hash this test's own: each
    process caches what it has seen, so tests must not share documents."""
    return f"{document}\n# {uuid.uuid4().hex}"


def sha256(document: str) -> str:
    return hashlib.sha256(document.encode()).hexdigest()


def persisted(document: str, *, version: int = 1) -> dict:
    return {"persistedQuery": {"version": version, "sha256Hash": sha256(document)}}


async def post_hash(http, document, variables=None, headers=None):
    body = {"extensions": persisted(document), "variables": variables or {}}
    return await http.post("/graphql", json=body, headers=headers or {})


async def get_hash(http, document, variables=None, headers=None):
    params = {"extensions": json.dumps(persisted(document))}
    if variables is not None:
        params["variables"] = json.dumps(variables)
    return await http.get(
        "/graphql", params=params, headers={**ACCEPT, **(headers or {})}
    )


async def register(http, document, variables=None, headers=None):
    body = {
        "query": document,
        "extensions": persisted(document),
        "variables": variables or {},
    }
    return await http.post("/graphql", json=body, headers=headers or {})


def assert_not_found(response):
    """What both clients retry on: Apollo Client reads the message or the
    code, urql only the message; HTTP 200 as Apollo Server answers."""
    assert response.status_code == 200, response.text
    assert response.headers["content-type"] == "application/json"
    (error,) = response.json()["errors"]
    assert error["message"] == "PersistedQueryNotFound"
    assert error["extensions"] == {
        "code": "PERSISTED_QUERY_NOT_FOUND",
        "requestId": response.headers["x-request-id"],
    }


def assert_refused(response, status, code):
    assert response.status_code == status, response.text
    (error,) = response.json()["errors"]
    assert error["extensions"]["code"] == code, error
    assert error["extensions"]["requestId"] == response.headers["x-request-id"]


async def stored_hashes(raw_db):
    return {doc["_id"] async for doc in raw_db["persisted_queries"].find()}


async def test_an_unknown_hash_over_post_tells_the_client_to_send_the_document(http):
    assert_not_found(await post_hash(http, unique("{ services { key } }")))


async def test_an_unknown_hash_over_get_gets_json_not_graphiql(http):
    document = unique("{ services { key } }")
    assert_not_found(await get_hash(http, document))
    # A browser-like Accept still gets JSON: a GET naming a hash is an API call.
    params = {"extensions": json.dumps(persisted(document))}
    page = await http.get("/graphql", params=params, headers={"accept": "*/*"})
    assert_not_found(page)


async def test_the_document_sent_once_runs_by_hash_over_get_and_post(http, raw_db):
    document = unique("query Services { services { key } }")
    assert_not_found(await get_hash(http, document))
    first = await register(http, document)
    assert first.status_code == 200, first.text
    services = first.json()["data"]["services"]
    assert services
    assert sha256(document) in await stored_hashes(raw_db)
    for response in (await get_hash(http, document), await post_hash(http, document)):
        assert response.status_code == 200, response.text
        assert response.json()["data"] == {"services": services}


async def test_variables_and_the_viewer_apply_to_a_stored_document(http, gql):
    token, viewer = await gql.sign_up("apq@example.nz")
    document = unique(
        "query Me($n: Int) { viewer { email } workers(first: $n) { edges { cursor } } }"
    )
    auth = {"Authorization": f"Bearer {token}"}
    assert (await register(http, document, {"n": 1}, auth)).status_code == 200
    response = await get_hash(http, document, {"n": 1}, auth)
    assert response.json()["data"]["viewer"] == {"email": "apq@example.nz"}


async def test_a_hash_that_is_not_the_documents_is_refused_and_not_stored(http, raw_db):
    document = unique("{ services { key } }")
    body = {"query": document + " ", "extensions": persisted(document)}
    assert_refused(
        await http.post("/graphql", json=body), 400, "PERSISTED_QUERY_HASH_MISMATCH"
    )
    assert await stored_hashes(raw_db) == set()
    assert_not_found(await post_hash(http, document))


@pytest.mark.parametrize(
    "extensions",
    [
        {"persistedQuery": "abc"},
        {"persistedQuery": {"version": 2, "sha256Hash": "a" * 64}},
        {"persistedQuery": {"version": 1, "sha256Hash": "not-a-hash"}},
        {"persistedQuery": {"version": 1}},
    ],
)
async def test_a_malformed_persisted_query_is_a_bad_request(http, extensions):
    response = await http.post("/graphql", json={"extensions": extensions})
    assert_refused(response, 400, "BAD_REQUEST")


@pytest.mark.parametrize(
    ("document", "code"),
    [
        ("{ nope }", "GRAPHQL_VALIDATION_FAILED"),
        ("{ services { key }", "GRAPHQL_VALIDATION_FAILED"),  # a syntax error
        (
            "{ workers { edges { node { bookings { edges { node { worker { bookings"
            " { edges { node { worker { bookings { edges { node { id } } } } } } } }"
            " } } } } } } }",
            "QUERY_TOO_DEEP",
        ),
    ],
)
async def test_only_documents_that_pass_the_limits_and_validate_are_stored(
    http, raw_db, document, code
):
    document = unique(document)
    response = await register(http, document)
    assert response.status_code == 400, response.text
    assert response.json()["errors"][0]["extensions"]["code"] == code
    assert await stored_hashes(raw_db) == set()
    assert_not_found(await post_hash(http, document))


async def test_a_stored_document_meets_the_limits_again_when_used(http, raw_db):
    """Stored before the limits were lowered, say: it is measured again."""
    document = unique(
        "{ " + " ".join(f"a{i}: services {{ key }}" for i in range(40)) + " }"
    )
    await raw_db["persisted_queries"].insert_one(
        {"_id": sha256(document), "query": document, "registered_at": datetime.now(UTC)}
    )
    assert_refused(await post_hash(http, document), 400, "TOO_MANY_ALIASES")


async def test_a_stored_mutation_runs_over_post_only(http, gql):
    token, _ = await gql.sign_up("apq-mutation@example.nz")
    auth = {"Authorization": f"Bearer {token}"}
    document = unique("mutation { logOutEverywhere { errors { code } } }")
    over_get = await http.get(
        "/graphql",
        params={"query": document, "extensions": json.dumps(persisted(document))},
        headers={**ACCEPT, **auth},
    )
    assert_refused(over_get, 405, "METHOD_NOT_ALLOWED")
    assert_not_found(await post_hash(http, document, headers=auth))  # not stored
    registered = await register(http, document, headers=auth)
    assert registered.json()["data"]["logOutEverywhere"]["errors"] == []

    token, _ = await gql.sign_up("apq-mutation-2@example.nz")
    auth = {"Authorization": f"Bearer {token}"}
    refused = await get_hash(http, document, headers=auth)
    assert_refused(refused, 405, "METHOD_NOT_ALLOWED")
    assert refused.headers["allow"] == "POST"
    # The GET changed nothing: the token still works, until the POST.
    assert (await gql("{ viewer { email } }", token=token))["viewer"]
    ran = await post_hash(http, document, headers=auth)
    assert ran.json()["data"]["logOutEverywhere"]["errors"] == []
    after = await http.post(
        "/graphql", json={"query": "{ viewer { email } }"}, headers=auth
    )
    assert after.status_code == 401


async def test_a_full_collection_stores_no_more_but_still_runs(
    http, raw_db, runtime, monkeypatch
):
    monkeypatch.setattr(
        runtime,
        "persisted_queries",
        PersistedQueryStore(cache_bytes=1024 * 1024, max_stored=1),
    )
    first, second = unique("{ services { key } }"), unique("{ services { name } }")
    assert (await register(http, first)).status_code == 200
    response = await register(http, second)
    assert response.json()["data"]["services"]
    assert await stored_hashes(raw_db) == {sha256(first)}
    assert_not_found(await post_hash(http, second))


@pytest.fixture
def other_instance(settings, raw_db, project_root, tmp_path):
    """A second server process on the same database."""
    app = serve(
        project_root,
        tmp_path / "other.log",
        {
            "MONGODB_URI": settings.mongodb_uri,
            "MONGODB_DB": settings.mongodb_db,
        },
    )
    try:
        yield app
    finally:
        stop_process(app.proc)


async def test_a_document_registered_on_one_instance_runs_by_hash_on_another(
    http, other_instance
):
    async with httpx.AsyncClient(base_url=other_instance.base, timeout=30) as other:
        # Registered here, used there.
        here = unique("query Here { services { key } }")
        assert_not_found(await get_hash(other, here))
        assert (await register(http, here)).status_code == 200
        there = await get_hash(other, here)
        assert there.status_code == 200, there.text
        assert there.json()["data"]["services"]
        # And the other way round.
        there_first = unique("query There { services { name } }")
        assert (await register(other, there_first)).status_code == 200
        here_after = await post_hash(http, there_first)
        assert here_after.json()["data"]["services"][0]["name"]


def test_with_the_database_away_a_hash_is_not_found_and_the_document_still_runs(
    project_root, tmp_path
):
    """A database of its own, stopped under a served app: the client is told
    to send the document, and a document that needs no database runs."""
    mongo, uri = start_mongo(":memory:", tmp_path / "db.log")
    try:
        app = serve(
            project_root,
            tmp_path / "app.log",
            {"MONGODB_URI": uri, "MONGODB_DB": "apq"},
        )
    except BaseException:
        stop_process(mongo)
        raise
    try:
        document = unique("{ services { key } }")
        stop_process(mongo)
        with httpx.Client(base_url=app.base, timeout=30) as client:
            body = {"extensions": persisted(document)}
            assert_not_found(client.post("/graphql", json=body))
            body["query"] = document
            ran = client.post("/graphql", json=body)
        assert ran.status_code == 200, ran.text
        assert ran.json()["data"]["services"]
    finally:
        stop_process(app.proc)
    warnings = [e["message"] for e in app.log_entries() if e["level"] == "WARNING"]
    assert any("not found: database unavailable" in m for m in warnings), warnings
    assert any("not stored: database unavailable" in m for m in warnings), warnings


async def test_database_commands_per_request(
    http, command_counter, runtime, monkeypatch
):
    """Storing costs a count and an insert, once; a hash this process has
    seen costs nothing; one it has not, a single find."""
    document = unique("{ services { key } }")
    command_counter.reset()
    assert (await register(http, document)).status_code == 200
    assert command_counter.commands == ["count", "insert"]
    command_counter.reset()
    assert (await post_hash(http, document)).status_code == 200
    assert (await register(http, document)).status_code == 200
    assert command_counter.commands == []
    # As a fresh instance would: nothing cached.
    monkeypatch.setattr(
        runtime,
        "persisted_queries",
        PersistedQueryStore(cache_bytes=1024 * 1024, max_stored=10),
    )
    command_counter.reset()
    assert (await post_hash(http, document)).status_code == 200
    assert command_counter.commands == ["find"]
