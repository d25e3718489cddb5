"""Helpers shared by the places and files tests (driven over GraphQL)."""

from __future__ import annotations

import math
from datetime import timedelta
from typing import Any

from gigsta.domain.places import EARTH_RADIUS_KM

SUGGEST = """query($q: String!, $c: Country!, $first: Int) {
  addressSuggestions(query: $q, country: $c, first: $first) {
    token formatted streetNumber street locality city region postcode country
    latitude longitude } }"""

UPDATE_PROFILE = """mutation($input: UpdateWorkerProfileInput!) {
  updateWorkerProfile(input: $input) {
    worker { id baseLocality serviceRadiusKm baseAddress { formatted } }
    errors { field code message } } }"""

REQUEST = """mutation($input: RequestBookingInput!) { requestBooking(input: $input) {
  booking { id version status address { detail formatted street locality } }
  errors { field code message } } }"""

ACT = """mutation($input: PerformBookingActionInput!) {
  performBookingAction(input: $input) {
    booking { id version status } errors { code message } } }"""


def north_of(latitude: float, longitude: float, km: float) -> tuple[float, float]:
    """The point `km` due north on MongoDB's sphere."""
    return latitude + math.degrees(km / EARTH_RADIUS_KM), longitude


async def token_for(
    gql, upstream, formatted: str, lat: float, lon: float, *, country: str = "NZ", **kw
) -> str:
    upstream.add(formatted, lat, lon, country=country, **kw)
    data = await gql(SUGGEST, {"q": formatted, "c": country, "first": 1})
    (suggestion,) = data["addressSuggestions"]
    assert suggestion["formatted"] == formatted
    return suggestion["token"]


async def make_worker(
    gql,
    upstream,
    email: str,
    *,
    lat: float,
    lon: float,
    radius_km: float,
    services: tuple[str, ...] = ("cleaning",),
    country: str = "NZ",
    locality: str = "Testville",
) -> tuple[str, str]:
    token, viewer = await gql.sign_up(email, role="WORKER", country=country)
    base = await token_for(
        gql,
        upstream,
        f"1 Base Road, {email}",
        lat,
        lon,
        country=country,
        locality=locality,
    )
    data = await gql(
        UPDATE_PROFILE,
        {
            "input": {
                "services": list(services),
                "hourlyRate": 4000,
                "baseAddressToken": base,
                "serviceRadiusKm": radius_km,
            }
        },
        token=token,
    )
    assert data["updateWorkerProfile"]["errors"] == []
    return token, viewer["worker"]["id"]


def booking_input(worker_id: str, clock, **extra: Any) -> dict[str, Any]:
    start = clock.now + timedelta(days=2)
    return {
        "workerId": worker_id,
        "service": "cleaning",
        "description": "Clean the kitchen and bathroom.",
        "scheduledStart": start.isoformat(),
        "scheduledEnd": (start + timedelta(hours=2)).isoformat(),
        "paymentMethodId": "pm_card_visa",  # localstripe's test card
        **extra,
    }
