"""Addresses and service areas: distances, signed address tokens, and what a
worker may see of a booking's address. Pure: no I/O, `now` is an argument.

Distances use the same sphere as MongoDB's 2dsphere queries (radius 6378.1 km),
so a distance shown to a user agrees with the one the database filtered on.
"""

from __future__ import annotations

import hashlib
import math
from dataclasses import asdict, dataclass
from datetime import datetime, timedelta
from enum import StrEnum
from types import MappingProxyType
from typing import Any

from itsdangerous import BadData, URLSafeSerializer

from gigsta.domain.bookings.actions import ActorRole, BookingStatus
from gigsta.domain.core import ErrorCode, UserError, too_long

EARTH_RADIUS_KM = 6378.1  # MongoDB's radius for spherical GeoJSON distances
# Input limits of places (documented in docs/inputs.md). The longest real
# addresses are well under 200 characters; a token carries one address.
MIN_QUERY_LENGTH = 3
MAX_QUERY_LENGTH = 200
MAX_ADDRESS_TOKEN_LENGTH = 2048
MIN_SERVICE_RADIUS_KM = 1.0
# The largest area a worker may cover. Search asks the database for candidates
# up to this distance and then applies each worker's own radius.
MAX_SERVICE_RADIUS_KM = 100.0
ADDRESS_TOKEN_TTL = timedelta(hours=24)
_TOKEN_VERSION = 1
# Keeps address-token signatures distinct from anything else signed with the
# same secret (for example access tokens).
_TOKEN_SALT = "gigsta/address-token/v1"


@dataclass(frozen=True, slots=True)
class Address:
    """A normalised NZ or AU address with its coordinates (WGS84 degrees)."""

    formatted: str
    street_number: str | None
    street: str | None
    locality: str | None
    city: str | None
    region: str | None
    postcode: str | None
    country: str
    latitude: float
    longitude: float


def distance_km(lat1: float, lon1: float, lat2: float, lon2: float) -> float:
    """Great-circle (haversine) distance on MongoDB's sphere."""
    p1, p2 = math.radians(lat1), math.radians(lat2)
    dp = p2 - p1
    dl = math.radians(lon2 - lon1)
    a = math.sin(dp / 2) ** 2 + math.cos(p1) * math.cos(p2) * math.sin(dl / 2) ** 2
    return 2 * EARTH_RADIUS_KM * math.asin(min(1.0, math.sqrt(a)))


def valid_coordinates(latitude: float, longitude: float) -> bool:
    return (
        math.isfinite(latitude)
        and math.isfinite(longitude)
        and -90 <= latitude <= 90
        and -180 <= longitude <= 180
    )


def validate_query(query: str) -> list[UserError]:
    if len(query) > MAX_QUERY_LENGTH:
        return [too_long("query", MAX_QUERY_LENGTH)]
    if len(query.strip()) < MIN_QUERY_LENGTH:
        return [
            UserError(
                "query",
                ErrorCode.QUERY_TOO_SHORT,
                f"Type at least {MIN_QUERY_LENGTH} characters of the address.",
            )
        ]
    return []


def validate_service_radius(radius_km: float) -> list[UserError]:
    if not (
        math.isfinite(radius_km)
        and MIN_SERVICE_RADIUS_KM <= radius_km <= MAX_SERVICE_RADIUS_KM
    ):
        return [
            UserError(
                "serviceRadiusKm",
                ErrorCode.INVALID,
                f"The service radius must be between {MIN_SERVICE_RADIUS_KM:g} "
                f"and {MAX_SERVICE_RADIUS_KM:g} km.",
            )
        ]
    return []


# --- Address tokens ---------------------------------------------------------
# `addressSuggestions` returns each suggestion with a token: the normalised
# address and its coordinates plus an expiry, signed with HMAC-SHA256
# (itsdangerous). Mutations accept the token instead of coordinates, so a client
# cannot place a booking or a service area at coordinates that do not belong to
# a real address. The expiry is part of the signed payload and checked against
# the `now` the caller passes, never against the wall clock.


def _token_serializer(secret: str) -> URLSafeSerializer:
    return URLSafeSerializer(
        secret,
        salt=_TOKEN_SALT,
        signer_kwargs={"key_derivation": "hmac", "digest_method": hashlib.sha256},
    )


def sign_address(
    address: Address, *, secret: str, now: datetime, ttl: timedelta = ADDRESS_TOKEN_TTL
) -> str:
    payload: dict[str, Any] = {
        "v": _TOKEN_VERSION,
        "exp": int((now + ttl).timestamp()),
        "a": asdict(address),
    }
    return _token_serializer(secret).dumps(payload)


def read_address(token: str, *, secret: str, now: datetime) -> Address | None:
    """The address a token vouches for, or None when forged, garbled or expired."""
    try:
        payload = _token_serializer(secret).loads(token.strip())
    except BadData:  # bad signature, or a payload that does not decode
        return None
    try:
        if not isinstance(payload, dict) or payload.get("v") != _TOKEN_VERSION:
            return None
        if int(payload["exp"]) <= int(now.timestamp()):
            return None
        address = Address(**payload["a"])
    except (ValueError, KeyError, TypeError):
        return None
    return address


def address_token_error(field: str) -> UserError:
    return UserError(
        field,
        ErrorCode.INVALID_ADDRESS_TOKEN,
        "This address reference is invalid or has expired. "
        "Choose the address again from `addressSuggestions`.",
    )


# --- What each party sees of a booking's address ------------------------------


class AddressDetail(StrEnum):
    FULL = "full"  # street address and coordinates
    LOCALITY = "locality"  # locality, city, region, postcode and distance only


S = BookingStatus

# The assigned worker learns the street address once they have accepted the job
# and keeps it while the job runs or is in dispute; before accepting, and once
# the booking is over (cancelled, closed, declined, expired, refunded), they
# see only the locality and the distance from their base.
WORKER_ADDRESS_DETAIL: MappingProxyType[BookingStatus, AddressDetail] = (
    MappingProxyType(
        {
            S.REQUESTED: AddressDetail.LOCALITY,
            S.ACCEPTED: AddressDetail.FULL,
            S.IN_PROGRESS: AddressDetail.FULL,
            S.COMPLETED: AddressDetail.FULL,
            S.DISPUTED: AddressDetail.FULL,
            S.DECLINED: AddressDetail.LOCALITY,
            S.EXPIRED: AddressDetail.LOCALITY,
            S.CANCELLED: AddressDetail.LOCALITY,
            S.CLOSED: AddressDetail.LOCALITY,
            S.REFUNDED: AddressDetail.LOCALITY,
            # Payments: a request still waiting for the card, or one whose card
            # failed, never reached the stage where the street is shared.
            S.PENDING_PAYMENT: AddressDetail.LOCALITY,
            S.PAYMENT_FAILED: AddressDetail.LOCALITY,
        }
    )
)


def address_detail(role: ActorRole, status: BookingStatus) -> AddressDetail:
    """How much of a booking's address `role` may see while it is in `status`.

    The customer (it is their address), admins and the system see all of it.
    A status missing from the worker's table gets the safe answer.
    """
    if role is ActorRole.WORKER:
        return WORKER_ADDRESS_DETAIL.get(status, AddressDetail.LOCALITY)
    return AddressDetail.FULL
