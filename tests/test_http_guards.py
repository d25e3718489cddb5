"""The HTTP layer in front of every route: body cap and security headers."""

from __future__ import annotations

import pytest

# Undeclared variables are ignored: only the size of the body matters here.
QUERY = "{ services { key } }"


def assert_too_large(response):
    assert response.status_code == 413
    (error,) = response.json()["errors"]
    assert error["extensions"]["code"] == "REQUEST_TOO_LARGE"
    assert error["extensions"]["requestId"] == response.headers["x-request-id"]


async def test_a_ten_megabyte_variable_is_refused(http):
    response = await http.post(
        "/graphql", json={"query": QUERY, "variables": {"s": "x" * 10_000_000}}
    )
    assert_too_large(response)


async def test_a_body_streamed_without_a_length_is_refused_past_the_cap(http):
    async def chunks():
        for _ in range(20):
            yield b"x" * 1_000_000

    response = await http.post(
        "/graphql", content=chunks(), headers={"content-type": "application/json"}
    )
    assert "content-length" not in response.request.headers
    assert_too_large(response)


async def test_stripe_webhooks_are_capped_too(http):
    response = await http.post(
        "/webhooks/stripe",
        content=b"{" + b" " * 2_000_000 + b"}",
        headers={"stripe-signature": "t=1,v1=00"},
    )
    assert_too_large(response)


async def test_a_body_under_the_cap_still_works(gql):
    response = await gql.raw(QUERY, {"s": "x" * 500_000})
    assert response.status_code == 200, response.text
    assert response.json()["data"]["services"]


@pytest.mark.parametrize(
    ("method", "path"),
    [("GET", "/healthz"), ("POST", "/graphql"), ("GET", "/nowhere")],
)
async def test_every_response_carries_the_security_headers(http, method, path):
    response = await http.request(
        method,
        path,
        json={"query": "{ services { key } }"} if method == "POST" else None,
    )
    headers = response.headers
    assert headers["x-content-type-options"] == "nosniff"
    assert headers["cache-control"] == "no-store"
    assert headers["referrer-policy"] == "no-referrer"
    assert headers["x-frame-options"] == "DENY"
    assert headers["content-security-policy"] == (
        "default-src 'none'; frame-ancestors 'none'"
    )
    assert "strict-transport-security" not in headers  # development


async def test_graphiql_loads_only_from_this_origin_and_cannot_be_framed(http):
    response = await http.get("/graphql", headers={"Accept": "text/html"})
    assert response.status_code == 200
    policy = dict(
        directive.strip().split(" ", 1)
        for directive in response.headers["content-security-policy"].split(";")
    )
    assert policy["default-src"] == "'none'"
    assert policy["script-src"] == "'self'"  # no inline script, no CDN
    assert policy["connect-src"] == "'self'"
    assert policy["frame-ancestors"] == "'none'"
    assert response.headers["x-frame-options"] == "DENY"


async def test_production_turns_off_graphiql_and_introspection(production):
    page = await production.get("/graphql", headers={"Accept": "text/html"})
    assert page.status_code == 404
    assert page.json()["errors"][0]["extensions"]["code"] == "NOT_FOUND"
    for query in (
        "{ __schema { types { name } } }",
        '{ __type(name: "Query") { name } }',
    ):
        response = await production.post("/graphql", json={"query": query})
        assert response.status_code == 400
        assert "introspection" in response.json()["errors"][0]["message"].lower()
    ok = await production.post("/graphql", json={"query": "{ services { key } }"})
    assert ok.status_code == 200
    assert ok.headers["strict-transport-security"].startswith("max-age=")
