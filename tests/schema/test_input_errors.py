"""Every input error is coded: values that do not fit their type, forged
cursors and date-times without a UTC offset, never with internals."""

from __future__ import annotations

import base64
import json
from typing import Any

import pytest

from gigsta.resolvers.core.pagination import MAX_CURSOR_LENGTH
from tests.schema.payments_helpers import REQUEST, parties
from tests.schema.test_input_limits import errors_of, query_error


def forged(*values: Any) -> str:
    raw = json.dumps(list(values)).encode()
    return base64.urlsafe_b64encode(raw).decode().rstrip("=")


FORGED_CURSORS = [
    forged("worker"),
    forged("worker", "a", "b"),
    forged("booking"),
    forged("booking", "2026-11-02T09:00:00+00:00"),
    forged("booking", "2026-11-02T09:00:00+00:00", "x", "y"),
    forged("booking", {"$gt": 1}, []),
    forged("worker_near", True, "0" * 24),
    forged("worker_near"),
    forged("worker", {"$ne": None}),
    "not base64 !",
    "x" * (MAX_CURSOR_LENGTH + 1),
]
LISTS = [
    "{ workers(after: $after) { edges { cursor } } }",
    "{ bookings(after: $after) { edges { cursor } } }",
    "{ workers(after: $after, filter: {near: {latitude: -36.8, longitude: 174.7}}) "
    "{ edges { cursor } } }",
]


@pytest.mark.parametrize("cursor", FORGED_CURSORS)
@pytest.mark.parametrize("selection", LISTS)
async def test_a_forged_cursor_is_bad_user_input(gql, app_log, cursor, selection):
    token, _ = await gql.sign_up("c@example.com")
    error = await query_error(
        gql, "query($after: String)" + selection, {"after": cursor}, token=token
    )
    assert error["extensions"]["code"] == "BAD_USER_INPUT"
    assert error["message"].startswith("The cursor is not valid")
    assert not any("exc_info" in e for e in app_log.entries())


@pytest.mark.parametrize(
    ("query", "variables"),
    [
        ("{ workers(first: 99999999999) { edges { cursor } } }", None),
        (
            "query($f: Int) { workers(first: $f) { edges { cursor } } }",
            {"f": 99999999999},
        ),
        ("query($f: Int) { workers(first: $f) { edges { cursor } } }", {"f": "ten"}),
        (
            '{ priceQuote(workerId: "1", service: "cleaning", scheduledStart: "soon",'
            ' scheduledEnd: "2026-12-01T11:00:00+13:00") { total } }',
            None,
        ),
        (
            "query($id: ID!) { worker(id: $id) { id } }",
            {"id": {"$ne": None}},
        ),
        ("query($id: ID!) { worker(id: $id) { id } }", {}),
        (
            "query($x: Float!) { workers(filter: {near: {latitude: $x, "
            "longitude: 1}}) { edges { cursor } } }",
            {"x": "NaN"},
        ),
    ],
)
async def test_a_value_that_does_not_fit_its_type_is_bad_user_input(
    gql, app_log, query, variables
):
    error = await query_error(gql, query, variables, status=400)
    assert error["extensions"]["code"] == "BAD_USER_INPUT", error
    assert not any("exc_info" in e for e in app_log.entries())


async def test_a_document_the_schema_does_not_know_is_still_validation_failed(gql):
    error = await query_error(gql, "{ nothingHere }", status=400)
    assert error["extensions"]["code"] == "GRAPHQL_VALIDATION_FAILED"


@pytest.mark.parametrize(
    ("start", "end", "fields"),
    [
        (
            "2026-12-01T09:00:00",
            "2026-12-01T11:00:00",
            ["scheduledStart", "scheduledEnd"],
        ),
        ("2026-12-01T09:00:00+13:00", "2026-12-01T11:00:00", ["scheduledEnd"]),
        ("2026-12-01T09:00:00", "2026-12-01T11:00:00+13:00", ["scheduledStart"]),
    ],
)
async def test_a_date_time_without_utc_offset_is_invalid_on_its_field(
    gql, clock, stripe_harness, app_log, start, end, fields
):
    p = await parties(gql, clock)
    quote = await gql.raw(
        """query($w: ID!, $s: DateTime!, $e: DateTime!) { priceQuote(workerId: $w,
          service: "cleaning", scheduledStart: $s, scheduledEnd: $e) { total } }""",
        {"w": p.worker_id, "s": start, "e": end},
        token=p.customer_token,
    )
    (error,) = quote.json()["errors"]
    assert error["extensions"]["code"] == "INVALID"
    assert "UTC offset" in error["message"]
    booking_input = {
        "workerId": p.worker_id,
        "service": "cleaning",
        "description": "Kitchen",
        "scheduledStart": start,
        "scheduledEnd": end,
        "paymentMethodId": "pm_card_visa",
    }
    data = await gql(REQUEST, {"input": booking_input}, token=p.customer_token)
    assert errors_of(data) == [(f, "INVALID") for f in fields]
    assert not any("exc_info" in e for e in app_log.entries())


async def test_a_bad_cursor_fails_only_its_own_list(gql):
    """Two lists side by side: the one with the forged cursor is null with a
    coded error at its path; the other keeps its data."""
    token, viewer = await gql.sign_up("w@example.nz", role="WORKER")
    response = await gql.raw(
        """query($after: String) {
             good: workers(first: 5) { edges { node { id } } }
             bad: workers(first: 5, after: $after) { edges { node { id } } }
             viewer { worker { id bookings(after: $after) { edges { cursor } } } }
           }""",
        {"after": forged("worker", {"$ne": None})},
        token=token,
    )
    assert response.status_code == 200, response.text
    body = response.json()
    data = body["data"]
    assert data["good"]["edges"] == [{"node": {"id": viewer["worker"]["id"]}}]
    assert data["bad"] is None
    assert data["viewer"]["worker"] == {"id": viewer["worker"]["id"], "bookings": None}
    errors = {tuple(e["path"]): e for e in body["errors"]}
    assert set(errors) == {("bad",), ("viewer", "worker", "bookings")}
    for error in errors.values():
        assert error["extensions"]["code"] == "BAD_USER_INPUT"
        assert error["message"].startswith("The cursor is not valid")
