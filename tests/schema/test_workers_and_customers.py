"""Worker profiles, the workers connection, customer visibility, admin creation."""

from __future__ import annotations

import sys
from datetime import UTC, datetime

import pytest
from bson import ObjectId

from tests.conftest import PASSWORD, run_cli
from tests.ids import global_id, raw_id

WORKERS_PAGE = """
query Workers($first: Int, $after: String) {
  workers(first: $first, after: $after) {
    edges { cursor node { id name } }
    pageInfo { hasNextPage endCursor }
  }
}"""
UPDATE_PROFILE = """
mutation Update($input: UpdateWorkerProfileInput!) {
  updateWorkerProfile(input: $input) {
    worker { id name bio hourlyRate currency services { key name } }
    errors { field code message }
  }
}"""
CUSTOMER = "query C($id: ID!) { customer(id: $id) { id name phone } }"


async def insert_workers(raw_db, count: int) -> list[str]:
    now = datetime(2026, 1, 1, tzinfo=UTC)
    docs = [
        {
            "_id": ObjectId(),
            "user_id": ObjectId(),
            "name": f"Worker {i:03d}",
            "country": "NZ",
            "services": ["cleaning"],
            "hourly_rate_cents": 4000,
            "currency": "NZD",
            "bio": "",
            "created_at": now,
            "updated_at": now,
        }
        for i in range(count)
    ]
    await raw_db["workers"].insert_many(docs)
    return [str(d["_id"]) for d in docs]


async def test_workers_paginate_across_pages_without_gaps_or_repeats(gql, raw_db):
    ids = await insert_workers(raw_db, 25)
    seen: list[str] = []
    after = None
    pages = 0
    while True:
        data = (await gql(WORKERS_PAGE, {"first": 10, "after": after}))["workers"]
        pages += 1
        seen += [edge["node"]["id"] for edge in data["edges"]]
        if not data["pageInfo"]["hasNextPage"]:
            break
        after = data["pageInfo"]["endCursor"]
        assert after == data["edges"][-1]["cursor"]
    assert pages == 3
    # stable order, every worker exactly once
    assert [raw_id(i) for i in seen] == sorted(ids)


async def test_workers_first_is_capped_at_100(gql, raw_db):
    await insert_workers(raw_db, 103)
    data = (await gql(WORKERS_PAGE, {"first": 500}))["workers"]
    assert len(data["edges"]) == 100
    assert data["pageInfo"]["hasNextPage"] is True
    rest = await gql(
        WORKERS_PAGE, {"first": 100, "after": data["pageInfo"]["endCursor"]}
    )
    assert len(rest["workers"]["edges"]) == 3
    assert rest["workers"]["pageInfo"]["hasNextPage"] is False


async def test_bad_cursor_is_a_clear_client_error(gql):
    response = await gql.raw(WORKERS_PAGE, {"first": 2, "after": "bm9wZQ"})
    body = response.json()
    assert body["errors"][0]["extensions"]["code"] == "BAD_USER_INPUT"
    assert body["errors"][0]["message"] == "The cursor is not valid."


async def test_empty_page(gql):
    data = (await gql(WORKERS_PAGE, {"first": 5}))["workers"]
    assert data == {"edges": [], "pageInfo": {"hasNextPage": False, "endCursor": None}}


async def test_worker_updates_own_profile(gql):
    token, viewer = await gql.sign_up("mere@example.nz", role="WORKER", name="Mere")
    payload = (
        await gql(
            UPDATE_PROFILE,
            {
                "input": {
                    "name": " Mere T ",
                    "bio": "Cleaner in Auckland",
                    "services": ["cleaning", "pet_care", "cleaning"],
                    "hourlyRate": 4550,
                }
            },
            token=token,
        )
    )["updateWorkerProfile"]
    assert payload["errors"] == []
    assert payload["worker"] == {
        "id": viewer["worker"]["id"],
        "name": "Mere T",
        "bio": "Cleaner in Auckland",
        "hourlyRate": 4550,
        "currency": "NZD",
        "services": [
            {"key": "cleaning", "name": "Cleaning"},
            {"key": "pet_care", "name": "Pet care"},
        ],
    }
    # a partial edit keeps the other fields
    partial = (await gql(UPDATE_PROFILE, {"input": {"bio": "New bio"}}, token=token))[
        "updateWorkerProfile"
    ]
    assert partial["worker"]["hourlyRate"] == 4550
    assert partial["worker"]["bio"] == "New bio"
    public = await gql(
        "query($id: ID!) { worker(id: $id) { name bio hourlyRate phone } }",
        {"id": viewer["worker"]["id"]},
    )
    assert public["worker"] == {
        "name": "Mere T",
        "bio": "New bio",
        "hourlyRate": 4550,
        "phone": None,
    }


async def test_update_worker_profile_errors(gql):
    token, _ = await gql.sign_up("mere@example.nz", role="WORKER")
    payload = (
        await gql(
            UPDATE_PROFILE,
            {"input": {"services": ["cleaning", "juggling"], "hourlyRate": 5}},
            token=token,
        )
    )["updateWorkerProfile"]
    assert payload["worker"] is None
    assert sorted((e["field"], e["code"]) for e in payload["errors"]) == [
        ("hourlyRate", "INVALID"),
        ("services", "UNKNOWN_SERVICE"),
    ]
    customer_token, _ = await gql.sign_up("kim@example.nz")
    as_customer = (
        await gql(UPDATE_PROFILE, {"input": {"bio": "x"}}, token=customer_token)
    )["updateWorkerProfile"]
    assert [e["code"] for e in as_customer["errors"]] == ["NOT_ALLOWED"]
    anonymous = (await gql(UPDATE_PROFILE, {"input": {"bio": "x"}}))[
        "updateWorkerProfile"
    ]
    assert [e["code"] for e in anonymous["errors"]] == ["UNAUTHENTICATED"]


async def test_worker_lookup_by_unknown_id_is_null(gql):
    data = await gql(
        "query($id: ID!) { worker(id: $id) { id } }",
        {"id": global_id("Worker", ObjectId())},
    )
    assert data["worker"] is None


@pytest.mark.parametrize(
    "worker_id",
    [
        pytest.param("not-an-id", id="malformed"),
        pytest.param(str(ObjectId()), id="raw document id"),
        pytest.param(global_id("Booking", ObjectId()), id="another type's id"),
    ],
)
async def test_worker_lookup_by_a_foreign_id_is_bad_input(gql, worker_id):
    response = await gql.raw(
        "query($id: ID!) { worker(id: $id) { id } }", {"id": worker_id}
    )
    (error,) = response.json()["errors"]
    assert error["extensions"]["code"] == "BAD_USER_INPUT"
    assert error["message"] == "`id` must be the id of a Worker."


async def test_customer_visible_to_self_and_admin_only(gql, settings, project_root):
    token, viewer = await gql.sign_up("kim@example.nz", name="Kim")
    other_token, _ = await gql.sign_up("lee@example.nz", name="Lee")
    worker_token, _ = await gql.sign_up("mere@example.nz", role="WORKER")
    customer_id = viewer["customer"]["id"]

    own = await gql(CUSTOMER, {"id": customer_id}, token=token)
    assert own["customer"]["name"] == "Kim"
    for stranger in (other_token, worker_token):
        assert (await gql(CUSTOMER, {"id": customer_id}, token=stranger))[
            "customer"
        ] is None
    anonymous = (await gql.raw(CUSTOMER, {"id": customer_id})).json()
    assert anonymous["errors"][0]["extensions"]["code"] == "UNAUTHENTICATED"

    result = run_cli(
        [sys.executable, "-m", "gigsta", "create-admin", "--email", "Boss@Example.nz"],
        env={
            "MONGODB_URI": settings.mongodb_uri,
            "MONGODB_DB": settings.mongodb_db,
            "GIGSTA_ADMIN_PASSWORD": PASSWORD,
        },
        cwd=project_root,
    )
    assert result.returncode == 0, result.stderr
    assert "created admin boss@example.nz" in result.stdout
    login = await gql(
        """mutation($i: LogInInput!) {
             logIn(input: $i) { token viewer { role } errors { code } } }""",
        {"i": {"email": "boss@example.nz", "password": PASSWORD}},
    )
    assert login["logIn"]["viewer"] == {"role": "ADMIN"}
    admin_view = await gql(CUSTOMER, {"id": customer_id}, token=login["logIn"]["token"])
    assert admin_view["customer"]["name"] == "Kim"

    again = run_cli(
        [sys.executable, "-m", "gigsta", "create-admin", "--email", "boss@example.nz"],
        env={"MONGODB_URI": settings.mongodb_uri, "MONGODB_DB": settings.mongodb_db},
        cwd=project_root,
        input=PASSWORD + "\n",
    )
    assert again.returncode == 1
    assert "EMAIL_TAKEN" in again.stderr
