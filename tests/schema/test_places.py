"""Addresses, service areas and the worker search, over GraphQL and HTTP."""

from __future__ import annotations

from datetime import timedelta
from ipaddress import ip_network

import httpx
import pytest

from tests.schema.places_helpers import (
    ACT,
    REQUEST,
    SUGGEST,
    UPDATE_PROFILE,
    booking_input,
    make_worker,
    north_of,
    token_for,
)

SEARCH = """query($filter: WorkerFilter, $first: Int, $after: String) {
  workers(filter: $filter, first: $first, after: $after) {
    edges { cursor node { id name distanceKm baseLocality serviceRadiusKm } }
    pageInfo { hasNextPage endCursor } } }"""

SEARCH_BACK = """query($filter: WorkerFilter, $last: Int, $before: String) {
  workers(filter: $filter, last: $last, before: $before) {
    edges { cursor node { id distanceKm } }
    pageInfo { hasPreviousPage startCursor } } }"""

AKL = (-36.8485, 174.7633)


async def search(gql, **filter_):
    data = await gql(SEARCH, {"filter": filter_})
    return data["workers"]


async def test_nz_and_au_suggestions_are_normalised(gql, addressable_upstream):
    data = await gql(SUGGEST, {"q": "queen street", "c": "NZ", "first": 5})
    (queen,) = [
        s for s in data["addressSuggestions"] if s["locality"] == "Auckland Central"
    ]
    assert queen["formatted"] == "1 Queen Street, Auckland Central, Auckland 1010"
    assert (queen["streetNumber"], queen["street"]) == ("1", "Queen Street")
    assert (queen["city"], queen["postcode"], queen["country"]) == (
        "Auckland",
        "1010",
        "NZ",
    )
    assert (queen["latitude"], queen["longitude"]) == (-36.8437, 174.7669)
    assert queen["token"]

    data = await gql(SUGGEST, {"q": "king street newtown", "c": "AU"})
    (newtown,) = data["addressSuggestions"]
    # Sent with string coordinates by the upstream; numbers to our clients.
    assert (newtown["latitude"], newtown["longitude"]) == (-33.897, 151.179)
    assert (newtown["region"], newtown["city"], newtown["country"]) == (
        "NSW",
        None,
        "AU",
    )
    sent = addressable_upstream.requests[-1].url.params
    assert (sent["country_code"], sent["q"]) == ("AU", "king street newtown")


async def test_the_api_key_never_reaches_the_client(gql, addressable_upstream):
    response = await gql.raw(SUGGEST, {"q": "queen street", "c": "NZ"})
    assert "test-addressable-key" not in response.text
    assert addressable_upstream.requests[-1].url.params["api_key"] == (
        "test-addressable-key"
    )


async def test_short_queries_are_refused_without_calling_upstream(
    gql, addressable_upstream
):
    response = await gql.raw(SUGGEST, {"q": "qu", "c": "NZ"})
    (error,) = response.json()["errors"]
    assert error["extensions"]["code"] == "QUERY_TOO_SHORT"
    assert addressable_upstream.requests == []


@pytest.mark.parametrize(
    ("behaviour", "code"),
    [
        (lambda r: httpx.Response(429, json={"message": "slow down"}), "RATE_LIMITED"),
        (lambda r: httpx.Response(401), "ADDRESS_LOOKUP_UNAVAILABLE"),
        (lambda r: httpx.Response(500), "ADDRESS_LOOKUP_UNAVAILABLE"),
    ],
)
async def test_upstream_failures_are_clear_errors(
    gql, addressable_upstream, behaviour, code
):
    addressable_upstream.handler = behaviour
    response = await gql.raw(SUGGEST, {"q": "queen street", "c": "NZ"})
    body = response.json()
    assert body["data"] is None
    assert body["errors"][0]["extensions"]["code"] == code


async def test_a_timeout_is_a_clear_error(gql, addressable_upstream):
    def timeout(request):
        raise httpx.ReadTimeout("upstream took too long", request=request)

    addressable_upstream.handler = timeout
    response = await gql.raw(SUGGEST, {"q": "queen street", "c": "NZ"})
    assert response.json()["errors"][0]["extensions"]["code"] == (
        "ADDRESS_LOOKUP_UNAVAILABLE"
    )
    assert len(addressable_upstream.requests) == 2  # one retry, then give up


async def test_point_just_inside_and_just_outside_a_radius(gql, addressable_upstream):
    await make_worker(
        gql,
        addressable_upstream,
        "w1@example.com",
        lat=AKL[0],
        lon=AKL[1],
        radius_km=10,
    )
    lat, lon = north_of(*AKL, 9.95)
    inside = await search(gql, near={"latitude": lat, "longitude": lon})
    (edge,) = inside["edges"]
    assert edge["node"]["distanceKm"] in (9.9, 10.0)  # rounded to 100 m
    assert edge["node"]["serviceRadiusKm"] == 10
    lat, lon = north_of(*AKL, 10.05)
    outside = await search(gql, near={"latitude": lat, "longitude": lon})
    assert outside["edges"] == []


async def test_each_worker_has_their_own_radius_nearest_first(
    gql, addressable_upstream
):
    # Near worker with a small radius, far worker with a big one.
    _, near_id = await make_worker(
        gql,
        addressable_upstream,
        "near@example.com",
        lat=AKL[0],
        lon=AKL[1],
        radius_km=5,
    )
    lat, lon = north_of(*AKL, 30)
    _, far_id = await make_worker(
        gql,
        addressable_upstream,
        "far@example.com",
        lat=lat,
        lon=lon,
        radius_km=40,
    )
    lat, lon = north_of(*AKL, 60)
    await make_worker(  # 60 km away with a 50 km radius: cannot reach AKL
        gql,
        addressable_upstream,
        "short@example.com",
        lat=lat,
        lon=lon,
        radius_km=50,
    )
    result = await search(gql, near={"latitude": AKL[0], "longitude": AKL[1]})
    nodes = [e["node"] for e in result["edges"]]
    assert [n["id"] for n in nodes] == [near_id, far_id]
    assert nodes[0]["distanceKm"] == pytest.approx(0, abs=0.001)
    assert nodes[1]["distanceKm"] == 30.0
    assert nodes[0]["baseLocality"] == "Testville"
    # 3 km north: still inside the near worker's 5 km.
    lat, lon = north_of(*AKL, 3)
    result = await search(gql, near={"latitude": lat, "longitude": lon})
    assert [e["node"]["id"] for e in result["edges"]] == [near_id, far_id]
    # 6 km north: only the far worker's 40 km reaches.
    lat, lon = north_of(*AKL, 6)
    result = await search(gql, near={"latitude": lat, "longitude": lon})
    assert [e["node"]["id"] for e in result["edges"]] == [far_id]


async def test_service_filter_and_pages(gql, addressable_upstream):
    ids = []
    for i, km in enumerate([2, 4, 6, 8]):
        lat, lon = north_of(*AKL, km)
        _, worker_id = await make_worker(
            gql,
            addressable_upstream,
            f"p{i}@example.com",
            lat=lat,
            lon=lon,
            radius_km=20,
            services=("gardening",) if i == 2 else ("cleaning",),
        )
        ids.append(worker_id)
    seen, after = [], None
    while True:
        data = await gql(
            SEARCH,
            {
                "filter": {
                    "service": "cleaning",
                    "near": {"latitude": AKL[0], "longitude": AKL[1]},
                },
                "first": 1,
                "after": after,
            },
        )
        page = data["workers"]
        seen += [e["node"]["id"] for e in page["edges"]]
        if not page["pageInfo"]["hasNextPage"]:
            break
        after = page["pageInfo"]["endCursor"]
    assert seen == [ids[0], ids[1], ids[3]]
    # Backward, one at a time from the farthest: the same workers reversed.
    seen_back, before = [], None
    while True:
        data = await gql(
            SEARCH_BACK,
            {
                "filter": {
                    "service": "cleaning",
                    "near": {"latitude": AKL[0], "longitude": AKL[1]},
                },
                "last": 1,
                "before": before,
            },
        )
        page = data["workers"]
        seen_back += [e["node"]["id"] for e in page["edges"]]
        if not page["pageInfo"]["hasPreviousPage"]:
            break
        before = page["pageInfo"]["startCursor"]
    assert seen_back == [ids[3], ids[1], ids[0]]
    # Service only (no point): everyone offering it, in id order.
    data = await gql(SEARCH, {"filter": {"service": "gardening"}})
    assert [e["node"]["id"] for e in data["workers"]["edges"]] == [ids[2]]
    assert data["workers"]["edges"][0]["node"]["distanceKm"] is None


async def test_the_tasman_sea_is_nobodys_service_area(gql, addressable_upstream):
    await make_worker(  # Auckland, widest radius allowed
        gql,
        addressable_upstream,
        "nz@example.com",
        lat=AKL[0],
        lon=AKL[1],
        radius_km=100,
    )
    await make_worker(  # Sydney
        gql,
        addressable_upstream,
        "au@example.com",
        lat=-33.8688,
        lon=151.2093,
        radius_km=100,
        country="AU",
    )
    tasman = await search(gql, near={"latitude": -37.0, "longitude": 163.0})
    assert tasman == {
        "edges": [],
        "pageInfo": {"hasNextPage": False, "endCursor": None},
    }
    sydney = await search(gql, near={"latitude": -33.87, "longitude": 151.21})
    assert len(sydney["edges"]) == 1


async def test_search_by_address_token_and_bad_input(gql, addressable_upstream):
    _, worker_id = await make_worker(
        gql,
        addressable_upstream,
        "tok@example.com",
        lat=AKL[0],
        lon=AKL[1],
        radius_km=10,
    )
    data = await gql(SUGGEST, {"q": "1 queen street auckland", "c": "NZ", "first": 1})
    token = data["addressSuggestions"][0]["token"]
    result = await search(gql, addressToken=token)
    assert [e["node"]["id"] for e in result["edges"]] == [worker_id]
    for bad, code in [
        ({"addressToken": token[:-3] + "xyz"}, "INVALID_ADDRESS_TOKEN"),
        ({"near": {"latitude": 91, "longitude": 0}}, "BAD_USER_INPUT"),
        ({"near": {"latitude": 0, "longitude": 0}, "service": "x"}, "UNKNOWN_SERVICE"),
        (
            {"near": {"latitude": 0, "longitude": 0}, "addressToken": token},
            "BAD_USER_INPUT",
        ),
    ]:
        response = await gql.raw(SEARCH, {"filter": bad})
        assert response.json()["errors"][0]["extensions"]["code"] == code, bad
    response = await gql.raw(
        SEARCH, {"filter": {"near": {"latitude": 0, "longitude": 0}}, "after": "zz"}
    )
    assert response.json()["errors"][0]["extensions"]["code"] == "BAD_USER_INPUT"


async def test_profile_validation_and_who_sees_the_base(gql, addressable_upstream):
    token, viewer = await gql.sign_up("prof@example.com", role="WORKER")
    au = await token_for(
        gql, addressable_upstream, "9 Pitt Street, Sydney", -33.86, 151.21, country="AU"
    )
    data = await gql(
        UPDATE_PROFILE,
        {"input": {"baseAddressToken": au, "serviceRadiusKm": 150}},
        token=token,
    )
    codes = {(e["field"], e["code"]) for e in data["updateWorkerProfile"]["errors"]}
    assert codes == {("serviceRadiusKm", "INVALID")}
    data = await gql(UPDATE_PROFILE, {"input": {"baseAddressToken": au}}, token=token)
    assert [e["code"] for e in data["updateWorkerProfile"]["errors"]] == ["INVALID"]
    data = await gql(
        UPDATE_PROFILE, {"input": {"baseAddressToken": "forged"}}, token=token
    )
    assert [e["code"] for e in data["updateWorkerProfile"]["errors"]] == [
        "INVALID_ADDRESS_TOKEN"
    ]
    nz = await token_for(
        gql,
        addressable_upstream,
        "7 Home Street, Grey Lynn",
        AKL[0],
        AKL[1],
        locality="Grey Lynn",
    )
    data = await gql(
        UPDATE_PROFILE,
        {"input": {"baseAddressToken": nz, "serviceRadiusKm": 12.5}},
        token=token,
    )
    payload = data["updateWorkerProfile"]
    assert payload["errors"] == []
    assert payload["worker"]["baseAddress"] == {"formatted": "7 Home Street, Grey Lynn"}
    query = """query($id: ID!) { worker(id: $id) {
        baseLocality serviceRadiusKm baseAddress { formatted } } }"""
    worker_id = viewer["worker"]["id"]
    public = (await gql(query, {"id": worker_id}))["worker"]
    assert public == {
        "baseLocality": "Grey Lynn",
        "serviceRadiusKm": 12.5,
        "baseAddress": None,
    }
    own = (await gql(query, {"id": worker_id}, token=token))["worker"]
    assert own["baseAddress"] == {"formatted": "7 Home Street, Grey Lynn"}


BOOKING_ADDRESS = """query($id: ID!) { booking(id: $id) { status version
  address { detail formatted streetNumber street locality city postcode latitude
            longitude distanceKm } } }"""


async def test_booking_address_and_what_the_worker_sees(
    gql, addressable_upstream, clock
):
    worker_token, worker_id = await make_worker(
        gql,
        addressable_upstream,
        "pw@example.com",
        lat=AKL[0],
        lon=AKL[1],
        radius_km=20,
    )
    customer_token, _ = await gql.sign_up("pc@example.com")
    lat, lon = north_of(*AKL, 5)
    address = await token_for(
        gql,
        addressable_upstream,
        "22 Private Lane, Hidden Valley",
        lat,
        lon,
        locality="Hidden Valley",
        street="Private Lane",
        street_number="22",
    )
    data = await gql(
        REQUEST,
        {"input": booking_input(worker_id, clock, addressToken=address)},
        token=customer_token,
    )
    payload = data["requestBooking"]
    assert payload["errors"] == []
    booking_id = payload["booking"]["id"]
    assert payload["booking"]["address"]["formatted"] == (
        "22 Private Lane, Hidden Valley"
    )

    async def seen_by(token):
        return (await gql(BOOKING_ADDRESS, {"id": booking_id}, token=token))["booking"]

    requested = await seen_by(worker_token)
    assert requested["address"] == {
        "detail": "LOCALITY",
        "formatted": None,
        "streetNumber": None,
        "street": None,
        "locality": "Hidden Valley",
        "city": "Test City",
        "postcode": "9999",
        "latitude": None,
        "longitude": None,
        "distanceKm": pytest.approx(5, abs=0.01),
    }
    customer_view = (await seen_by(customer_token))["address"]
    assert customer_view["detail"] == "FULL"
    assert customer_view["street"] == "Private Lane"

    data = await gql(
        ACT,
        {"input": {"bookingId": booking_id, "action": "accept", "expectedVersion": 1}},
        token=worker_token,
    )
    assert data["performBookingAction"]["errors"] == []
    accepted = (await seen_by(worker_token))["address"]
    assert accepted["detail"] == "FULL"
    assert accepted["formatted"] == "22 Private Lane, Hidden Valley"
    assert (accepted["streetNumber"], accepted["street"]) == ("22", "Private Lane")
    assert accepted["latitude"] == pytest.approx(lat)

    data = await gql(
        ACT,
        {
            "input": {
                "bookingId": booking_id,
                "action": "cancel",
                "expectedVersion": 2,
                "reason": "Plans changed.",
            }
        },
        token=customer_token,
    )
    assert data["performBookingAction"]["errors"] == []
    cancelled = await seen_by(worker_token)
    assert cancelled["status"] == "CANCELLED"
    assert cancelled["address"]["detail"] == "LOCALITY"
    assert cancelled["address"]["street"] is None
    assert cancelled["address"]["formatted"] is None


async def test_booking_address_must_be_trusted_and_in_the_area(
    gql, addressable_upstream, clock
):
    _, worker_id = await make_worker(
        gql,
        addressable_upstream,
        "aw@example.com",
        lat=AKL[0],
        lon=AKL[1],
        radius_km=10,
    )
    customer_token, _ = await gql.sign_up("ac@example.com")
    lat, lon = north_of(*AKL, 12)
    far = await token_for(gql, addressable_upstream, "12 Far Road, Away", lat, lon)
    for token, code in [
        (far, "OUTSIDE_SERVICE_AREA"),
        ("x.y", "INVALID_ADDRESS_TOKEN"),
    ]:
        data = await gql(
            REQUEST,
            {"input": booking_input(worker_id, clock, addressToken=token)},
            token=customer_token,
        )
        payload = data["requestBooking"]
        assert payload["booking"] is None
        assert [(e["field"], e["code"]) for e in payload["errors"]] == [
            ("addressToken", code)
        ]


async def test_address_lookups_are_limited_per_client(gql, addressable_upstream, clock):
    query = '{ addressSuggestions(query: "queen street", country: NZ) { formatted } }'
    for _ in range(30):
        assert (await gql.raw(query)).json().get("errors") is None
    limited = (await gql.raw(query)).json()
    assert limited["errors"][0]["extensions"]["code"] == "RATE_LIMITED"
    # a signed-in user has an allowance of their own
    token, _ = await gql.sign_up("kim@example.nz")
    assert (await gql.raw(query, token=token)).json().get("errors") is None
    clock.advance(timedelta(minutes=1))
    assert (await gql.raw(query)).json().get("errors") is None


@pytest.mark.parametrize("trusted", [False, True])
async def test_a_forwarded_address_counts_only_from_a_trusted_proxy(
    gql, addressable_upstream, runtime, monkeypatch, trusted
):
    """The test client connects from 127.0.0.1. Untrusted, a client rotating
    `X-Forwarded-For` stays in one bucket; trusted (a load balancer), each
    forwarded address has its own."""
    if trusted:
        monkeypatch.setattr(
            runtime,
            "settings",
            runtime.settings.model_copy(
                update={"trusted_proxies": (ip_network("127.0.0.1/32"),)}
            ),
        )
    query = '{ addressSuggestions(query: "queen street", country: NZ) { formatted } }'

    async def lookup(forwarded_for: str) -> str | None:
        response = await gql.http.post(
            "/graphql",
            json={"query": query},
            headers={"X-Forwarded-For": forwarded_for},
        )
        errors = response.json().get("errors")
        return errors[0]["extensions"]["code"] if errors else None

    for i in range(30):
        assert await lookup(f"198.51.100.{i}") is None
    expected = None if trusted else "RATE_LIMITED"
    assert await lookup("198.51.100.200") == expected
    assert await lookup("203.0.113.9, 198.51.100.201") == expected
