"""Every string and list input is bounded: `TOO_LONG` on the field, nothing
written."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest

from gigsta.domain.accounts import MAX_BIO_LENGTH, MAX_NAME_LENGTH, MAX_PASSWORD_LENGTH
from gigsta.domain.bookings.limits import (
    MAX_ACTION_NAME_LENGTH,
    MAX_DESCRIPTION_LENGTH,
    MAX_PAYMENT_METHOD_ID_LENGTH,
    MAX_REASON_LENGTH,
)
from gigsta.domain.files import (
    MAX_CONTENT_TYPE_LENGTH,
    MAX_FILENAME_LENGTH,
    MAX_KEY_LENGTH,
)
from gigsta.domain.places import MAX_ADDRESS_TOKEN_LENGTH, MAX_QUERY_LENGTH
from gigsta.domain.services import MAX_SERVICES_PER_WORKER
from tests.conftest import PASSWORD
from tests.schema.payments_helpers import REQUEST, act, parties, request

SIGN_UP = """mutation($input: SignUpInput!) { signUp(input: $input) {
  token errors { field code message } } }"""
LOG_IN = """mutation($input: LogInInput!) { logIn(input: $input) {
  token errors { field code message } } }"""
PROFILE = """mutation($input: UpdateWorkerProfileInput!) {
  updateWorkerProfile(input: $input) {
    worker { id } errors { field code message } } }"""
CREATE_UPLOAD = """mutation($input: CreateUploadInput!) { createUpload(input: $input) {
  key errors { field code message } } }"""
COMPLETE_UPLOAD = """mutation($key: String!) { completeUpload(key: $key) {
  attachment { id } errors { field code message } } }"""


def over(limit: int) -> str:
    return "x" * (limit + 1)


def sign_up_input(**fields: Any) -> dict[str, Any]:
    return {
        "email": "long@example.com",
        "password": PASSWORD,
        "name": "Kim",
        "role": "CUSTOMER",
        "country": "NZ",
        **fields,
    }


def errors_of(data: dict[str, Any]) -> list[tuple[str | None, str]]:
    (payload,) = data.values()
    return [(e["field"], e["code"]) for e in payload["errors"]]


@pytest.mark.parametrize(
    ("fields", "field"),
    [
        ({"name": over(MAX_NAME_LENGTH)}, "name"),
        ({"password": over(MAX_PASSWORD_LENGTH)}, "password"),
    ],
)
async def test_sign_up_bounds(gql, fields, field):
    data = await gql(SIGN_UP, {"input": sign_up_input(**fields)})
    assert errors_of(data) == [(field, "TOO_LONG")]


@pytest.mark.parametrize(
    ("email", "password", "field"),
    [
        ("a@example.com", over(MAX_PASSWORD_LENGTH), "password"),
        ("a" * 300 + "@example.com", PASSWORD, "email"),
    ],
)
async def test_log_in_bounds(gql, email, password, field):
    data = await gql(LOG_IN, {"input": {"email": email, "password": password}})
    assert errors_of(data) == [(field, "TOO_LONG")]


@pytest.mark.parametrize(
    ("fields", "field"),
    [
        ({"name": over(MAX_NAME_LENGTH)}, "name"),
        ({"bio": over(MAX_BIO_LENGTH)}, "bio"),
        ({"services": ["cleaning"] * (MAX_SERVICES_PER_WORKER + 1)}, "services"),
        ({"baseAddressToken": over(MAX_ADDRESS_TOKEN_LENGTH)}, "baseAddressToken"),
    ],
)
async def test_worker_profile_bounds(gql, fields, field):
    token, _ = await gql.sign_up("w@example.com", "WORKER")
    data = await gql(PROFILE, {"input": fields}, token=token)
    assert errors_of(data) == [(field, "TOO_LONG")]


async def test_unknown_services_are_not_echoed_at_length(gql):
    token, _ = await gql.sign_up("w@example.com", "WORKER")
    data = await gql(
        PROFILE, {"input": {"services": [over(10_000), "b" * 50]}}, token=token
    )
    (error,) = data["updateWorkerProfile"]["errors"]
    assert error["code"] == "UNKNOWN_SERVICE"
    assert len(error["message"]) < 200


@pytest.mark.parametrize(
    ("fields", "field"),
    [
        ({"description": over(MAX_DESCRIPTION_LENGTH)}, "description"),
        ({"paymentMethodId": over(MAX_PAYMENT_METHOD_ID_LENGTH)}, "paymentMethodId"),
        ({"addressToken": over(MAX_ADDRESS_TOKEN_LENGTH)}, "addressToken"),
    ],
)
async def test_request_booking_bounds(gql, clock, stripe_harness, fields, field):
    p = await parties(gql, clock)
    start = clock.now + timedelta(days=3)
    booking_input = {
        "workerId": p.worker_id,
        "service": "cleaning",
        "description": "Kitchen",
        "scheduledStart": start.isoformat(),
        "scheduledEnd": (start + timedelta(hours=2)).isoformat(),
        "paymentMethodId": "pm_card_visa",
        **fields,
    }
    data = await gql(REQUEST, {"input": booking_input}, token=p.customer_token)
    assert (field, "TOO_LONG") in errors_of(data)
    assert data["requestBooking"]["booking"] is None


@pytest.mark.parametrize(
    ("action", "reason", "field"),
    [
        ("decline", over(MAX_REASON_LENGTH), "reason"),
        (over(MAX_ACTION_NAME_LENGTH), None, "action"),
    ],
)
async def test_booking_action_bounds(gql, clock, stripe_harness, action, reason, field):
    p = await parties(gql, clock)
    booking = (await request(gql, p, "pm_card_visa", clock.now + timedelta(days=3)))[
        "booking"
    ]
    payload = await act(gql, p.worker_token, booking, action, reason=reason)
    assert [(e["field"], e["code"]) for e in payload["errors"]] == [(field, "TOO_LONG")]
    assert payload["booking"]["version"] == booking["version"]  # nothing written
    assert "x" * 100 not in payload["errors"][0]["message"]
    # The longest reason allowed is taken.
    payload = await act(
        gql, p.worker_token, booking, "decline", reason="y" * MAX_REASON_LENGTH
    )
    assert payload["errors"] == []


@pytest.mark.parametrize(
    ("fields", "field"),
    [
        ({"filename": over(MAX_FILENAME_LENGTH)}, "filename"),
        ({"contentType": over(MAX_CONTENT_TYPE_LENGTH)}, "contentType"),
    ],
)
async def test_upload_bounds(gql, fields, field):
    token, _ = await gql.sign_up("w@example.com", "WORKER")
    upload = {
        "purpose": "WORKER_AVATAR",
        "contentType": "image/png",
        "sizeBytes": 100,
        "filename": "me.png",
        **fields,
    }
    data = await gql(CREATE_UPLOAD, {"input": upload}, token=token)
    assert errors_of(data) == [(field, "TOO_LONG")]


async def test_upload_key_bound(gql):
    token, _ = await gql.sign_up("w@example.com", "WORKER")
    data = await gql(COMPLETE_UPLOAD, {"key": over(MAX_KEY_LENGTH)}, token=token)
    assert errors_of(data) == [("key", "TOO_LONG")]


async def query_error(gql, query, variables=None, token=None, status=200):
    response = await gql.raw(query, variables, token)
    assert response.status_code == status, response.text
    (error,) = response.json()["errors"]
    return error


async def test_address_query_bound(gql):
    error = await query_error(
        gql,
        "query($q: String!) { addressSuggestions(query: $q, country: NZ) { token } }",
        {"q": over(MAX_QUERY_LENGTH)},
    )
    assert error["extensions"]["code"] == "TOO_LONG"
