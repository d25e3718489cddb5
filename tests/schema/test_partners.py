"""Partners and their API keys: made by admins, shown once, stored hashed;
a partner books as itself and sees only the bookings it requested."""

from __future__ import annotations

import hashlib
from datetime import timedelta

from tests.schema.partners_helpers import (
    CREATE_KEY,
    CREATE_PARTNER,
    make_key,
    make_partner,
)
from tests.schema.payments_helpers import admin_token
from tests.schema.test_bookings import booking_input, cast  # noqa: F401 - fixture

ALL = ["WORKERS_READ", "BOOKINGS_READ", "BOOKINGS_WRITE"]
BOOKINGS = "{ bookings(first: 10) { edges { node { id } } } }"
REQUEST = """mutation($input: RequestBookingInput!) { requestBooking(input: $input) {
  booking { id } errors { field code message } } }"""


async def test_a_key_is_shown_once_and_stored_as_its_hash(gql, clock, raw_db):
    admin = await admin_token(gql, clock)
    partner = await make_partner(gql, admin)
    made = await make_key(gql, admin, partner, ["WORKERS_READ"])
    key = made["key"]
    assert key.startswith("gsk_live_")
    assert key.startswith(made["apiKey"]["prefix"])
    stored = await raw_db["api_keys"].find_one({})
    assert stored["secret_hash"] == hashlib.sha256(key.encode()).hexdigest()
    assert key not in str(stored)
    listed = await gql(
        "query($id: ID!) { partner(id: $id) { apiKeys { prefix scopes } } }",
        {"id": partner},
        admin,
    )
    assert listed["partner"]["apiKeys"] == [
        {"prefix": made["apiKey"]["prefix"], "scopes": ["WORKERS_READ"]}
    ]


async def test_a_key_with_a_wrong_secret_is_unauthenticated(gql, clock):
    admin = await admin_token(gql, clock)
    key = (await make_key(gql, admin, await make_partner(gql, admin), ALL))["key"]
    for wrong in (key[:-1] + ("A" if key[-1] != "A" else "B"), "gsk_live_nonsense"):
        response = await gql.raw("{ viewer { id } }", token=wrong)
        assert response.status_code == 401
        assert response.json()["errors"][0]["extensions"]["code"] == "UNAUTHENTICATED"


async def test_last_use_is_written_at_most_once_a_minute(gql, clock, raw_db):
    admin = await admin_token(gql, clock)
    key = (await make_key(gql, admin, await make_partner(gql, admin), ALL))["key"]
    first = clock.now
    for _ in range(3):
        assert (await gql.raw("{ viewer { id } }", token=key)).status_code == 200
        clock.advance(timedelta(seconds=20))
    stored = await raw_db["api_keys"].find_one({})
    assert stored["last_used_at"] == first
    clock.advance(timedelta(seconds=1))  # 61 s after the first use
    assert (await gql.raw("{ viewer { id } }", token=key)).status_code == 200
    stored = await raw_db["api_keys"].find_one({})
    assert stored["last_used_at"] == clock.now


async def test_only_admins_manage_partners(gql, cast):  # noqa: F811
    for token in (cast.customer.token, cast.worker.token):
        data = await gql(CREATE_PARTNER, {"i": {"name": "X", "country": "NZ"}}, token)
        assert [e["code"] for e in data["createPartner"]["errors"]] == ["NOT_ALLOWED"]
    anonymous = await gql(CREATE_PARTNER, {"i": {"name": "X", "country": "NZ"}})
    assert [e["code"] for e in anonymous["createPartner"]["errors"]] == [
        "UNAUTHENTICATED"
    ]


async def test_a_key_s_input_is_checked(gql, cast, clock):  # noqa: F811
    partner = await make_partner(gql, cast.admin.token)
    past = (clock.now - timedelta(minutes=1)).isoformat()
    data = await gql(
        CREATE_KEY,
        {"i": {"partnerId": partner, "name": "x", "scopes": [], "expiresAt": past}},
        cast.admin.token,
    )
    errors = [(e["field"], e["code"]) for e in data["createApiKey"]["errors"]]
    assert errors == [("scopes", "INVALID"), ("expiresAt", "INVALID")]
    data = await gql(
        CREATE_KEY,
        {"i": {"partnerId": cast.customer.profile_id, "name": "x", "scopes": ALL}},
        cast.admin.token,
    )
    errors = [(e["field"], e["code"]) for e in data["createApiKey"]["errors"]]
    assert errors == [("partnerId", "INVALID")]


async def test_a_partner_books_and_sees_only_its_own_bookings(
    gql,
    cast,  # noqa: F811
    clock,
    raw_db,
):
    mine = await make_key(
        gql, cast.admin.token, await make_partner(gql, cast.admin.token), ALL
    )
    other_partner = await make_partner(gql, cast.admin.token, "Other PM")
    theirs = await make_key(gql, cast.admin.token, other_partner, ALL)
    data = await gql(REQUEST, booking_input(cast, clock), mine["key"])
    assert data["requestBooking"]["errors"] == []
    booking = data["requestBooking"]["booking"]["id"]
    stored = await raw_db["bookings"].find_one({})
    key_doc = await raw_db["api_keys"].find_one({"prefix": mine["apiKey"]["prefix"]})
    assert stored["partner_id"] == key_doc["partner_id"]
    # A customer's own booking is not the partner's.
    await gql(REQUEST, booking_input(cast, clock), cast.customer.token)

    def ids(data):
        return [edge["node"]["id"] for edge in data["bookings"]["edges"]]

    assert ids(await gql(BOOKINGS, token=mine["key"])) == [booking]
    assert ids(await gql(BOOKINGS, token=theirs["key"])) == []
    node = "query($id: ID!) { node(id: $id) { id } }"
    assert (await gql(node, {"id": booking}, theirs["key"]))["node"] is None
    assert (await gql(node, {"id": booking}, mine["key"]))["node"] == {"id": booking}


async def test_partner_and_key_bounds(gql, clock):
    admin = await admin_token(gql, clock)
    data = await gql(CREATE_PARTNER, {"i": {"name": "x" * 121, "country": "NZ"}}, admin)
    assert [(e["field"], e["code"]) for e in data["createPartner"]["errors"]] == [
        ("name", "TOO_LONG")
    ]
    partner = await make_partner(gql, admin)
    long_name = {"partnerId": partner, "name": "k" * 81, "scopes": ALL}
    data = await gql(CREATE_KEY, {"i": long_name}, admin)
    assert [(e["field"], e["code"]) for e in data["createApiKey"]["errors"]] == [
        ("name", "TOO_LONG")
    ]
    for _ in range(10):
        await make_key(gql, admin, partner, ALL)
    data = await gql(
        CREATE_KEY, {"i": {"partnerId": partner, "name": "k", "scopes": ALL}}, admin
    )
    assert [(e["field"], e["code"]) for e in data["createApiKey"]["errors"]] == [
        ("partnerId", "TOO_LONG")
    ]
