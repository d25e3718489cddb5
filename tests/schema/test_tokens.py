"""Tokens are checked against the live account on every request, can be
revoked at once, and carry claims of exactly the types we issue."""

from __future__ import annotations

from datetime import timedelta

import jwt
import pytest
from bson import ObjectId

from tests.conftest import JWT_SECRET, PASSWORD
from tests.ids import raw_id

VIEWER = "{ viewer { email } }"
BOOKINGS = "{ bookings(first: 5) { edges { node { id } } } }"
LOG_OUT_EVERYWHERE = "mutation { logOutEverywhere { errors { field code message } } }"
LOG_IN = """mutation($input: LogInInput!) {
  logIn(input: $input) { token errors { code } } }"""


async def log_in(gql, email: str) -> str:
    data = await gql(LOG_IN, {"input": {"email": email, "password": PASSWORD}})
    token: str = data["logIn"]["token"]
    return token


def assert_unauthenticated(response, message: str | None = None) -> None:
    assert response.status_code == 401, response.text
    error = response.json()["errors"][0]
    assert error["extensions"]["code"] == "UNAUTHENTICATED"
    if message is not None:
        assert error["message"] == message


async def test_a_token_of_a_deleted_account_is_refused(gql, raw_db):
    token, viewer = await gql.sign_up("aroha@example.nz")
    assert (await gql(BOOKINGS, token=token))["bookings"]["edges"] == []
    await raw_db["users"].delete_one({"_id": ObjectId(raw_id(viewer["id"]))})
    for query in (BOOKINGS, VIEWER):
        assert_unauthenticated(
            await gql.raw(query, token=token),
            "The access token is no longer valid. Sign in again.",
        )


async def test_log_out_everywhere_revokes_every_token_of_the_account(gql):
    first, _ = await gql.sign_up("aroha@example.nz")
    second = await log_in(gql, "aroha@example.nz")
    other, _ = await gql.sign_up("mere@example.nz")
    payload = (await gql(LOG_OUT_EVERYWHERE, token=first))["logOutEverywhere"]
    assert payload == {"errors": []}
    for token in (first, second):
        assert_unauthenticated(await gql.raw(VIEWER, token=token))
    # other accounts are untouched, and signing in again works
    assert (await gql(VIEWER, token=other))["viewer"]["email"] == "mere@example.nz"
    fresh = await log_in(gql, "aroha@example.nz")
    assert (await gql(VIEWER, token=fresh))["viewer"]["email"] == "aroha@example.nz"


async def test_log_out_everywhere_needs_a_signed_in_caller(gql):
    payload = (await gql(LOG_OUT_EVERYWHERE))["logOutEverywhere"]
    assert payload["errors"] == [
        {"field": None, "code": "UNAUTHENTICATED", "message": "Sign in first."}
    ]


async def test_the_viewer_costs_one_read_of_the_account(gql, command_counter):
    token, _ = await gql.sign_up("aroha@example.nz")
    command_counter.reset()
    assert (await gql(VIEWER, token=token))["viewer"]["email"] == "aroha@example.nz"
    assert command_counter.commands == ["find"]
    # and the caller's first take of its query-cost bucket: one update, which
    # creates it (what is left is known without reading it back)
    assert command_counter.bucket_commands == ["update"]


def claims_for(viewer: dict, clock, **overrides) -> dict:
    claims = {
        "sub": raw_id(viewer["id"]),
        "role": "CUSTOMER",
        "pid": raw_id(viewer["customer"]["id"]),
        "ver": 0,
        "iss": "gigsta",
        "iat": int(clock.now.timestamp()),
        "exp": int((clock.now + timedelta(hours=1)).timestamp()),
    }
    claims.update(overrides)
    return {k: v for k, v in claims.items() if v is not ...}


@pytest.mark.parametrize(
    "overrides",
    [
        pytest.param({"exp": "9999999999"}, id="string exp"),
        pytest.param({"exp": 9999999999.5}, id="float exp"),
        pytest.param({"iat": "0"}, id="string iat"),
        pytest.param({"ver": "0"}, id="string version"),
        pytest.param({"ver": 0.0}, id="float version"),
        pytest.param({"ver": False}, id="boolean version"),
        pytest.param({"ver": -1}, id="negative version"),
        pytest.param({"ver": 1}, id="version not the account's"),
        pytest.param({"pid": 12}, id="numeric profile id"),
        pytest.param({"role": ["CUSTOMER"]}, id="list role"),
        pytest.param({"role": "ADMIN"}, id="role not the account's"),
        pytest.param({"role": "OWNER"}, id="unknown role"),
        pytest.param({"sub": "not-an-object-id"}, id="malformed subject"),
        pytest.param({"sub": str(ObjectId())}, id="no such account"),
    ],
)
async def test_claims_of_the_wrong_type_or_value_are_unauthenticated(
    gql, clock, overrides
):
    _, viewer = await gql.sign_up("aroha@example.nz")
    good = jwt.encode(claims_for(viewer, clock), JWT_SECRET, algorithm="HS256")
    assert (await gql(VIEWER, token=good))["viewer"]["email"] == "aroha@example.nz"
    bad = jwt.encode(claims_for(viewer, clock, **overrides), JWT_SECRET, "HS256")
    assert_unauthenticated(await gql.raw(VIEWER, token=bad))


async def test_a_token_from_before_versions_counts_as_version_zero(gql, clock):
    token, viewer = await gql.sign_up("aroha@example.nz")
    legacy = jwt.encode(claims_for(viewer, clock, ver=...), JWT_SECRET, "HS256")
    assert (await gql(VIEWER, token=legacy))["viewer"]["email"] == "aroha@example.nz"
    await gql(LOG_OUT_EVERYWHERE, token=token)
    assert_unauthenticated(await gql.raw(VIEWER, token=legacy))
