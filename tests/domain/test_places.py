from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from gigsta.domain.bookings.actions import ActorRole, BookingStatus
from gigsta.domain.core import ErrorCode
from gigsta.domain.places import (
    ADDRESS_TOKEN_TTL,
    WORKER_ADDRESS_DETAIL,
    Address,
    AddressDetail,
    address_detail,
    distance_km,
    read_address,
    sign_address,
    validate_query,
    validate_service_radius,
)

NOW = datetime(2026, 11, 2, 9, 0, tzinfo=UTC)
SECRET = "s" * 40
QUEEN_ST = Address(
    formatted="1 Queen Street, Auckland Central, Auckland 1010",
    street_number="1",
    street="Queen Street",
    locality="Auckland Central",
    city="Auckland",
    region="Auckland",
    postcode="1010",
    country="NZ",
    latitude=-36.8437,
    longitude=174.7669,
)

WORKER_SEES = {
    BookingStatus.REQUESTED: AddressDetail.LOCALITY,
    BookingStatus.ACCEPTED: AddressDetail.FULL,
    BookingStatus.IN_PROGRESS: AddressDetail.FULL,
    BookingStatus.COMPLETED: AddressDetail.FULL,
    BookingStatus.DISPUTED: AddressDetail.FULL,
    BookingStatus.DECLINED: AddressDetail.LOCALITY,
    BookingStatus.EXPIRED: AddressDetail.LOCALITY,
    BookingStatus.CANCELLED: AddressDetail.LOCALITY,
    BookingStatus.CLOSED: AddressDetail.LOCALITY,
    BookingStatus.REFUNDED: AddressDetail.LOCALITY,
    BookingStatus.PENDING_PAYMENT: AddressDetail.LOCALITY,
    BookingStatus.PAYMENT_FAILED: AddressDetail.LOCALITY,
}


def test_every_status_has_a_worker_rule():
    assert set(WORKER_ADDRESS_DETAIL) == set(BookingStatus)
    assert set(WORKER_SEES) == set(BookingStatus)


@pytest.mark.parametrize("status", list(BookingStatus))
def test_worker_sees_street_only_from_acceptance_until_the_job_is_over(status):
    assert address_detail(ActorRole.WORKER, status) is WORKER_SEES[status]


@pytest.mark.parametrize("status", list(BookingStatus))
@pytest.mark.parametrize("role", [ActorRole.CUSTOMER, ActorRole.ADMIN])
def test_customer_and_admin_always_see_the_full_address(role, status):
    assert address_detail(role, status) is AddressDetail.FULL


def test_token_round_trip():
    token = sign_address(QUEEN_ST, secret=SECRET, now=NOW)
    assert read_address(token, secret=SECRET, now=NOW + timedelta(hours=1)) == QUEEN_ST


def test_token_expires():
    token = sign_address(QUEEN_ST, secret=SECRET, now=NOW)
    just_before = NOW + ADDRESS_TOKEN_TTL - timedelta(seconds=1)
    assert read_address(token, secret=SECRET, now=just_before) == QUEEN_ST
    assert read_address(token, secret=SECRET, now=NOW + ADDRESS_TOKEN_TTL) is None


def test_token_signed_with_another_secret_is_refused():
    token = sign_address(QUEEN_ST, secret="t" * 40, now=NOW)
    assert read_address(token, secret=SECRET, now=NOW) is None


def test_tampered_coordinates_are_refused():
    from itsdangerous import URLSafeSerializer

    token = sign_address(QUEEN_ST, secret=SECRET, now=NOW)
    body, mac = token.rsplit(".", 1)
    # Anyone can decode the payload: the codec needs no secret for that.
    codec = URLSafeSerializer("not the secret")
    payload = codec.load_payload(body.encode())
    # Re-encoded unchanged, the old signature still fits: only the edit is refused.
    same = codec.dump_payload(payload).decode()
    assert read_address(f"{same}.{mac}", secret=SECRET, now=NOW) == QUEEN_ST
    payload["a"]["latitude"] = -33.8675  # move it to Sydney
    forged = codec.dump_payload(payload).decode()
    assert read_address(f"{forged}.{mac}", secret=SECRET, now=NOW) is None


def test_the_expiry_is_checked_against_now_not_the_wall_clock():
    long_ago = datetime(2001, 1, 1, tzinfo=UTC)
    token = sign_address(QUEEN_ST, secret=SECRET, now=long_ago)
    assert read_address(token, secret=SECRET, now=long_ago) == QUEEN_ST
    assert read_address(token, secret=SECRET, now=NOW) is None


def test_a_payload_signed_for_another_purpose_is_refused():
    from dataclasses import asdict

    from itsdangerous import URLSafeSerializer

    # Same secret, same shape, but not signed as an address token.
    payload = {"v": 1, "exp": int(NOW.timestamp()) + 3600, "a": asdict(QUEEN_ST)}
    other = URLSafeSerializer(SECRET, salt="gigsta/something-else").dumps(payload)
    assert read_address(other, secret=SECRET, now=NOW) is None


@pytest.mark.parametrize("garbage", ["", ".", "abc", "abc.def", "!!.??", "a.b.c"])
def test_garbage_tokens_are_refused(garbage):
    assert read_address(garbage, secret=SECRET, now=NOW) is None


def test_distance_matches_known_values():
    # Auckland CBD to Sydney CBD is about 2,160 km.
    assert distance_km(-36.8485, 174.7633, -33.8688, 151.2093) == pytest.approx(
        2158.5, abs=1.0
    )
    # One degree of latitude on MongoDB's sphere.
    assert distance_km(0, 0, 1, 0) == pytest.approx(111.318, abs=0.01)
    assert distance_km(-36.8, 174.7, -36.8, 174.7) == 0


@pytest.mark.parametrize(
    ("query", "ok"), [("", False), ("ab", False), ("  ab  ", False), ("abc", True)]
)
def test_queries_need_three_characters(query, ok):
    errors = validate_query(query)
    assert (errors == []) is ok
    if not ok:
        assert errors[0].code is ErrorCode.QUERY_TOO_SHORT


@pytest.mark.parametrize(
    ("radius", "ok"),
    [
        (0.5, False),
        (1, True),
        (25.5, True),
        (100, True),
        (100.1, False),
        (float("nan"), False),
        (float("inf"), False),
    ],
)
def test_service_radius_bounds(radius, ok):
    assert (validate_service_radius(radius) == []) is ok
