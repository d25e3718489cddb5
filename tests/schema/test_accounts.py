"""Accounts over GraphQL/HTTP against the real database server."""

from __future__ import annotations

from datetime import datetime, timedelta

import pytest

from tests.conftest import PASSWORD

SIGN_UP = """
mutation SignUp($input: SignUpInput!) {
  signUp(input: $input) {
    token
    viewer {
      id email role
      customer { id name country }
      worker { id currency services { key } }
    }
    errors { field code message }
  }
}"""
LOG_IN = """
mutation LogIn($input: LogInInput!) {
  logIn(input: $input) { token viewer { id email role } errors { field code message } }
}"""
VIEWER = (
    "query Me { viewer { id email role customer { name } worker { name currency } } }"
)


def sign_up_input(**overrides):
    return {
        "input": {
            "email": "aroha@example.nz",
            "password": PASSWORD,
            "name": "Aroha",
            "role": "CUSTOMER",
            "country": "NZ",
            **overrides,
        }
    }


async def test_sign_up_customer_and_worker(gql):
    customer = (await gql(SIGN_UP, sign_up_input()))["signUp"]
    assert customer["errors"] == []
    assert customer["viewer"]["role"] == "CUSTOMER"
    assert customer["viewer"]["customer"]["country"] == "NZ"
    assert customer["viewer"]["worker"] is None

    worker = (
        await gql(
            SIGN_UP,
            sign_up_input(email="bruce@example.au", role="WORKER", country="AU"),
        )
    )["signUp"]
    assert worker["errors"] == []
    assert worker["viewer"]["worker"] == {
        "id": worker["viewer"]["worker"]["id"],
        "currency": "AUD",
        "services": [],
    }
    assert worker["viewer"]["customer"] is None
    assert customer["token"] != worker["token"]


async def test_email_is_stored_normalised_and_unique_case_insensitively(gql):
    first = (await gql(SIGN_UP, sign_up_input(email="  Aroha@Example.NZ ")))["signUp"]
    assert first["viewer"]["email"] == "aroha@example.nz"
    again = (await gql(SIGN_UP, sign_up_input(email="AROHA@example.nz")))["signUp"]
    assert again["token"] is None
    assert again["viewer"] is None
    assert again["errors"] == [
        {
            "field": "email",
            "code": "EMAIL_TAKEN",
            "message": "An account with this email already exists.",
        }
    ]


@pytest.mark.parametrize(
    ("overrides", "field", "code"),
    [
        ({"email": "not-an-email"}, "email", "INVALID_EMAIL"),
        ({"email": "a@b"}, "email", "INVALID_EMAIL"),
        ({"password": "123456789"}, "password", "PASSWORD_TOO_SHORT"),
        ({"name": "   "}, "name", "INVALID"),
        ({"role": "ADMIN"}, "role", "NOT_ALLOWED"),
    ],
)
async def test_sign_up_rejects_bad_input(gql, raw_db, overrides, field, code):
    payload = (await gql(SIGN_UP, sign_up_input(**overrides)))["signUp"]
    assert payload["token"] is None
    assert [(e["field"], e["code"]) for e in payload["errors"]] == [(field, code)]
    assert payload["errors"][0]["message"]
    assert await raw_db["users"].count_documents({}) == 0


async def test_password_of_exactly_ten_characters_is_accepted(gql):
    payload = (await gql(SIGN_UP, sign_up_input(password="0123456789")))["signUp"]
    assert payload["errors"] == []


async def test_log_in_and_viewer(gql):
    await gql(SIGN_UP, sign_up_input())
    payload = (
        await gql(
            LOG_IN, {"input": {"email": "AROHA@example.nz", "password": PASSWORD}}
        )
    )["logIn"]
    assert payload["errors"] == []
    assert payload["viewer"]["email"] == "aroha@example.nz"
    me = await gql(VIEWER, token=payload["token"])
    assert me["viewer"]["customer"] == {"name": "Aroha"}
    assert (await gql(VIEWER))["viewer"] is None


async def test_wrong_credentials_look_the_same_for_unknown_email_and_wrong_password(
    gql,
):
    await gql(SIGN_UP, sign_up_input())
    wrong_password = (
        await gql(
            LOG_IN, {"input": {"email": "aroha@example.nz", "password": "x" * 12}}
        )
    )["logIn"]
    unknown_email = (
        await gql(
            LOG_IN, {"input": {"email": "nobody@example.nz", "password": PASSWORD}}
        )
    )["logIn"]
    assert wrong_password == unknown_email
    assert wrong_password["token"] is None
    assert wrong_password["errors"] == [
        {
            "field": None,
            "code": "INVALID_CREDENTIALS",
            "message": "The email or password is incorrect.",
        }
    ]


async def test_tampered_token_is_unauthenticated(gql):
    token = (await gql(SIGN_UP, sign_up_input()))["signUp"]["token"]
    header, payload, signature = token.split(".")
    tampered = f"{header}.{payload}.{signature[:-2]}AA"
    response = await gql.raw(VIEWER, token=tampered)
    assert response.status_code == 401
    body = response.json()
    assert body["errors"][0]["extensions"]["code"] == "UNAUTHENTICATED"
    assert body["errors"][0]["message"] == "The access token is invalid."
    garbage = await gql.raw(VIEWER, token="not.a.jwt")
    assert garbage.status_code == 401


async def test_expired_token_is_unauthenticated(gql, clock, settings):
    token = (await gql(SIGN_UP, sign_up_input()))["signUp"]["token"]
    clock.advance(timedelta(seconds=settings.jwt_ttl_seconds - 1))
    assert (await gql(VIEWER, token=token))["viewer"] is not None
    clock.advance(timedelta(seconds=1))
    response = await gql.raw(VIEWER, token=token)
    assert response.status_code == 401
    error = response.json()["errors"][0]
    assert error["extensions"]["code"] == "UNAUTHENTICATED"
    assert "expired" in error["message"]


async def test_non_bearer_authorization_is_refused(http):
    response = await http.post(
        "/graphql",
        json={"query": VIEWER},
        headers={"Authorization": "Basic dXNlcjpwYXNz"},
    )
    assert response.status_code == 401


async def test_malformed_json_is_400(http):
    response = await http.post(
        "/graphql", content=b'{"query": ', headers={"content-type": "application/json"}
    )
    assert response.status_code == 400


async def test_unknown_field_is_400_with_graphql_errors(gql):
    response = await gql.raw("{ viewer { shoeSize } }")
    assert response.status_code == 400
    body = response.json()
    assert body["data"] is None
    assert "shoeSize" in body["errors"][0]["message"]
    assert body["errors"][0]["extensions"]["code"] == "GRAPHQL_VALIDATION_FAILED"


async def test_wrong_argument_type_is_400(gql):
    response = await gql.raw('{ workers(first: "ten") { edges { cursor } } }')
    assert response.status_code == 400
    response = await gql.raw(
        "query($n: Int) { workers(first: $n) { edges { cursor } } }", {"n": "ten"}
    )
    assert response.status_code == 400
    assert "errors" in response.json()


async def test_unexpected_errors_are_masked_logged_and_carry_the_request_id(
    gql, monkeypatch, app_log
):
    from gigsta.resolvers.accounts import workers

    async def broken(*args, **kwargs):
        raise RuntimeError("secret internals: connection string mongodb://...")

    monkeypatch.setattr(workers, "list_workers", broken)
    response = await gql.raw("query Broken { workers { edges { cursor } } }")
    assert response.status_code == 200
    error = response.json()["errors"][0]
    request_id = response.headers["x-request-id"]
    assert error["message"] == f"Internal error. Request id: {request_id}."
    assert error["extensions"] == {"code": "INTERNAL", "requestId": request_id}
    assert "secret internals" not in response.text
    logged = app_log.entries("gigsta.graphql")
    assert logged and request_id in logged[0]["message"]
    assert logged[0]["request_id"] == request_id
    assert "RuntimeError: secret internals" in logged[0]["exc_info"]
    access = app_log.entries("gigsta.access")
    assert access[-1]["request_id"] == request_id
    assert access[-1]["operation"] == "Broken"
    assert access[-1]["outcome"] == "internal_error"


async def test_one_structured_log_line_per_request(http, app_log):
    response = await http.post(
        "/graphql",
        json={"query": "query Services { services { key } }"},
        headers={"X-Request-ID": "client-req-12345"},
    )
    assert response.headers["x-request-id"] == "client-req-12345"
    lines = app_log.entries("gigsta.access")
    assert len(lines) == 1
    line = lines[0]
    assert line["request_id"] == "client-req-12345"
    assert line["operation"] == "Services"
    assert line["outcome"] == "ok"
    assert line["status"] == 200
    assert isinstance(line["duration_ms"], float)
    assert (line["method"], line["path"]) == ("POST", "/graphql")
    assert line["level"] == "INFO"
    assert line["message"] == "POST /graphql 200"
    assert datetime.fromisoformat(line["timestamp"]).utcoffset() == timedelta(0)


async def test_graphiql_is_served_to_browsers(http):
    response = await http.get("/graphql", headers={"Accept": "text/html"})
    assert response.status_code == 200
    assert "graphiql" in response.text.lower()


async def test_services_catalogue(gql):
    services = (await gql("{ services { key name } }"))["services"]
    keys = [s["key"] for s in services]
    for key in (
        "cleaning",
        "gardening",
        "moving",
        "handyman",
        "painting",
        "furniture_assembly",
        "pet_care",
    ):
        assert key in keys
    assert {"key": "pet_care", "name": "Pet care"} in services


async def test_query_depth_and_alias_fan_out_are_bounded(gql):
    nested = "{ workers { edges { node { bookings { edges { node { id } } } } } } }"
    for _ in range(2):
        nested = nested.replace(
            "{ id }", "{ worker { bookings { edges { node { id } } } } }"
        )
    response = await gql.raw(nested)
    assert response.status_code == 400
    assert response.json()["errors"][0]["extensions"]["code"] == "QUERY_TOO_DEEP"
    aliases = "{ " + " ".join(f"a{i}: services {{ key }}" for i in range(31)) + " }"
    response = await gql.raw(aliases)
    assert response.status_code == 400
    ok = "{ " + " ".join(f"a{i}: services {{ key }}" for i in range(30)) + " }"
    assert (await gql.raw(ok)).status_code == 200


async def test_sign_in_is_throttled_per_email_after_ten_failures(gql, clock):
    await gql(SIGN_UP, sign_up_input())

    async def log_in(email, password):
        data = await gql(LOG_IN, {"input": {"email": email, "password": password}})
        return [e["code"] for e in data["logIn"]["errors"]], data["logIn"]["token"]

    # a success resets the count
    for _ in range(9):
        assert (await log_in("aroha@example.nz", "wrong password!"))[0] == [
            "INVALID_CREDENTIALS"
        ]
    assert (await log_in("aroha@example.nz", PASSWORD))[1]
    for email in ("aroha@example.nz", "ghost@example.nz"):
        for _ in range(10):
            codes, _ = await log_in(email, "wrong password!")
            assert codes == ["INVALID_CREDENTIALS"]
        # locked: even the right password is refused, and an unknown email
        # is answered exactly like a known one
        codes, token = await log_in(email, PASSWORD)
        assert (codes, token) == (["RATE_LIMITED"], None)
    clock.advance(timedelta(minutes=15))
    codes, token = await log_in("aroha@example.nz", PASSWORD)
    assert codes == []
    assert token
