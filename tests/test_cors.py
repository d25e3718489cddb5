"""Cross-origin requests: what a browser app on another origin gets back."""

from __future__ import annotations

import pytest
from pydantic import ValidationError

from gigsta.settings import Settings
from tests.conftest import CORS_ORIGIN

QUERY = {"query": "{ services { key } }"}
ELSEWHERE = "https://evil.example"


def cors_headers(response):
    return {
        k: v for k, v in response.headers.items() if k.startswith("access-control-")
    }


def preflight(http, origin, headers="authorization, content-type", method="POST"):
    return http.options(
        "/graphql",
        headers={
            "Origin": origin,
            "Access-Control-Request-Method": method,
            "Access-Control-Request-Headers": headers,
        },
    )


async def test_a_preflight_from_an_allowed_origin_is_answered_and_cached(http):
    response = await preflight(http, CORS_ORIGIN)
    assert response.status_code == 200
    headers = response.headers
    assert headers["access-control-allow-origin"] == CORS_ORIGIN
    assert {"GET", "POST"} <= set(headers["access-control-allow-methods"].split(", "))
    allowed = headers["access-control-allow-headers"].lower().split(", ")
    assert {"authorization", "content-type", "x-request-id"} <= set(allowed)
    assert headers["access-control-max-age"] == "7200"
    assert "Origin" in headers["vary"]
    assert "access-control-allow-credentials" not in headers  # tokens, no cookies
    # Still one of our responses: traced and hardened like every other.
    assert headers["x-request-id"]
    assert headers["x-content-type-options"] == "nosniff"


async def test_an_allowed_origin_may_read_the_answer_and_its_request_id(http):
    response = await http.post("/graphql", json=QUERY, headers={"Origin": CORS_ORIGIN})
    assert response.status_code == 200
    assert response.headers["access-control-allow-origin"] == CORS_ORIGIN
    exposed = response.headers["access-control-expose-headers"].lower().split(", ")
    assert "x-request-id" in exposed
    assert "retry-after" in exposed
    assert "Origin" in response.headers["vary"]


@pytest.mark.parametrize("method", ["preflight", "POST"])
async def test_an_origin_not_listed_gets_no_cors_header_at_all(http, method):
    if method == "preflight":
        response = await preflight(http, ELSEWHERE)
        assert response.status_code == 400
    else:
        response = await http.post(
            "/graphql", json=QUERY, headers={"Origin": ELSEWHERE}
        )
        assert response.status_code == 200  # the browser, not we, withholds it
    assert cors_headers(response) == {}
    assert "Origin" in response.headers["vary"]


async def test_a_same_origin_or_server_request_gets_no_cors_header(http):
    response = await http.post("/graphql", json=QUERY)
    assert response.status_code == 200
    assert cors_headers(response) == {}


async def test_a_preflight_asking_for_an_unlisted_header_is_refused(http):
    response = await preflight(http, CORS_ORIGIN, headers="x-something-else")
    assert response.status_code == 400


@pytest.mark.parametrize("refusal", ["too large", "bad token"])
async def test_refusals_reach_an_allowed_origin_with_cors_headers(http, refusal):
    """So the app can show why (413 REQUEST_TOO_LARGE, 401 UNAUTHENTICATED)
    instead of the browser's opaque network error."""
    headers = {"Origin": CORS_ORIGIN}
    if refusal == "too large":
        body = {**QUERY, "variables": {"s": "x" * 2_000_000}}
        expected = (413, "REQUEST_TOO_LARGE")
    else:
        body = QUERY
        headers["Authorization"] = "Bearer not-a-token"
        expected = (401, "UNAUTHENTICATED")
    response = await http.post("/graphql", json=body, headers=headers)
    code = response.json()["errors"][0]["extensions"]["code"]
    assert (response.status_code, code) == expected
    assert response.headers["access-control-allow-origin"] == CORS_ORIGIN
    assert "x-request-id" in response.headers["access-control-expose-headers"].lower()


def test_origins_are_read_from_a_comma_separated_setting(monkeypatch):
    monkeypatch.setenv(
        "GIGSTA_CORS_ORIGINS", " http://localhost:5173, https://app.gigsta.nz ,"
    )
    settings = Settings(_env_file=None)
    assert settings.cors_origins == ("http://localhost:5173", "https://app.gigsta.nz")
    monkeypatch.setenv("GIGSTA_CORS_ORIGINS", "http://[::1]:5173")
    assert Settings(_env_file=None).cors_origins == ("http://[::1]:5173",)
    monkeypatch.delenv("GIGSTA_CORS_ORIGINS")
    assert Settings(_env_file=None).cors_origins == ()


@pytest.mark.parametrize(
    "value", ["http://localhost:5173/", "localhost:5173", "https://app.gigsta.nz/app"]
)
def test_an_entry_that_is_not_an_origin_is_refused_at_start(monkeypatch, value):
    """A browser's Origin never has a path: such an entry would never match."""
    monkeypatch.setenv("GIGSTA_CORS_ORIGINS", value)
    with pytest.raises(ValidationError, match="is not an origin"):
        Settings(_env_file=None)
