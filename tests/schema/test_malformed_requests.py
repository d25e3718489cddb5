"""Requests the endpoint cannot run get a GraphQL-shaped JSON error with a
code, never plain text or GraphiQL's page: each case as a client sends it."""

from __future__ import annotations

import json

import pytest

QUERY = "{ services { key } }"
MUTATION = "mutation { logOutEverywhere { errors { code } } }"
JSON = {"content-type": "application/json"}


def assert_refused(response, status, code):
    assert response.status_code == status, response.text
    assert response.headers["content-type"] == "application/json"
    body = response.json()
    (error,) = body["errors"]
    assert error["extensions"]["code"] == code, error
    assert error["message"]
    assert error["extensions"]["requestId"] == response.headers["x-request-id"]
    return error


@pytest.mark.parametrize(
    ("name", "request_kwargs"),
    [
        ("not JSON", {"content": b"{query: 1", "headers": JSON}),
        ("not UTF-8", {"content": b'{"query": "\xff"}', "headers": JSON}),
        ("a JSON string", {"content": b'"{ services { key } }"', "headers": JSON}),
        ("no query", {"json": {"variables": {}}}),
        ("query not a string", {"json": {"query": ["{ services { key } }"]}}),
        ("variables a list", {"json": {"query": QUERY, "variables": [1]}}),
        ("variables a string", {"json": {"query": QUERY, "variables": '{"a": 1}'}}),
        ("extensions a list", {"json": {"query": QUERY, "extensions": []}}),
        ("a batch", {"json": [{"query": QUERY}]}),
    ],
)
async def test_a_malformed_post_is_a_bad_request(http, name, request_kwargs):
    response = await http.post("/graphql", **request_kwargs)
    assert_refused(response, 400, "BAD_REQUEST")


@pytest.mark.parametrize(
    "content_type",
    [None, "text/plain", "application/x-www-form-urlencoded", "application/graphql"],
)
async def test_a_post_that_is_not_json_says_how_to_send_it(http, content_type):
    headers = {"content-type": content_type} if content_type else {}
    response = await http.post(
        "/graphql", content=json.dumps({"query": QUERY}).encode(), headers=headers
    )
    error = assert_refused(response, 400, "BAD_REQUEST")
    assert "application/json" in error["message"]


async def test_a_json_content_type_with_a_charset_is_fine(http):
    response = await http.post(
        "/graphql",
        content=json.dumps({"query": QUERY}).encode(),
        headers={"content-type": "application/json; charset=utf-8"},
    )
    assert response.status_code == 200, response.text
    assert response.json()["data"]["services"]


@pytest.mark.parametrize(
    "params",
    [
        {"query": QUERY, "variables": "{not json"},
        {"query": QUERY, "variables": "[1]"},
        {"query": QUERY, "extensions": "{not json"},
        {"variables": "{}"},
    ],
)
async def test_a_malformed_get_is_a_bad_request(http, params):
    response = await http.get(
        "/graphql", params=params, headers={"accept": "application/json"}
    )
    assert_refused(response, 400, "BAD_REQUEST")


async def test_a_mutation_over_get_is_method_not_allowed(http, gql):
    token, _ = await gql.sign_up("get@example.nz")
    response = await http.get(
        "/graphql",
        params={"query": MUTATION},
        headers={"Authorization": f"Bearer {token}"},
    )
    # GraphQL over HTTP: "the server MUST respond with error status code 405".
    assert_refused(response, 405, "METHOD_NOT_ALLOWED")
    assert response.headers["allow"] == "POST"
    # Nothing ran: the token still works.
    assert (await gql("{ viewer { email } }", token=token))["viewer"]


@pytest.mark.parametrize("method", ["GET", "POST"])
async def test_a_subscription_over_http_says_to_use_a_websocket(http, gql, method):
    token, _ = await gql.sign_up("sub@example.nz")
    query = {"query": "subscription { myBookingEvents { type } }"}
    response = await http.request(
        method,
        "/graphql",
        **({"params": query} if method == "GET" else {"json": query}),
        headers={"Authorization": f"Bearer {token}"},
    )
    assert_refused(response, 400, "BAD_REQUEST")
    assert "WebSocket" in response.json()["errors"][0]["message"]


@pytest.mark.parametrize("method", ["PUT", "PATCH", "DELETE"])
async def test_other_methods_are_not_allowed(http, method):
    response = await http.request(method, "/graphql", json={"query": QUERY})
    assert_refused(response, 405, "METHOD_NOT_ALLOWED")
    assert response.headers["allow"] == "GET, POST"


async def test_a_query_over_get_still_runs(http):
    response = await http.get(
        "/graphql", params={"query": QUERY}, headers={"accept": "application/json"}
    )
    assert response.status_code == 200, response.text
    assert response.json()["data"]["services"]


@pytest.mark.parametrize(
    ("query", "code"),
    [
        ("{ services { key }", "GRAPHQL_VALIDATION_FAILED"),
        ("{ nope }", "GRAPHQL_VALIDATION_FAILED"),
        ("{ workers(first: 99999999999) { edges { cursor } } }", "BAD_USER_INPUT"),
    ],
)
async def test_a_document_that_cannot_run_is_refused_with_the_request_id(
    http, query, code
):
    response = await http.post("/graphql", json={"query": query})
    assert response.status_code == 400, response.text
    error = response.json()["errors"][0]
    assert error["extensions"]["code"] == code
    assert error["extensions"]["requestId"] == response.headers["x-request-id"]
