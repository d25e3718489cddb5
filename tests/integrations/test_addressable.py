"""The Addressable client against `httpx.MockTransport` answering like the API."""

from __future__ import annotations

from typing import Any

import httpx
import pytest

from gigsta.domain.core import ErrorCode
from gigsta.integrations.addressable import AddressableClient, AddressLookupError

KEY = "k-123"

# Shaped like api.addressable.dev/v2/autocomplete answers.
NZ_RESULTS = [
    {
        "formatted": "1 Queen Street, Auckland Central, Auckland 1010",
        "street_number": "1",
        "street": "Queen Street",
        "locality": "Auckland Central",
        "city": "Auckland",
        "region": "Auckland",
        "postcode": "1010",
        "country_code": "NZ",
        "lat": -36.8437,
        "lon": 174.7669,
    },
    {
        "formatted": "1 Queen Street, Waiuku, Waiuku 2123",
        "street_number": "1",
        "street": "Queen Street",
        "locality": "Waiuku",
        "city": "Waiuku",
        "region": "Auckland",
        "postcode": "2123",
        "country_code": "NZ",
        "lat": "-37.2498",
        "lon": "174.7326",
    },
]
AU_RESULTS = [
    {
        "formatted": "100 King Street, Newtown NSW 2042",
        "street_number": "100",
        "street": "King Street",
        "locality": "Newtown",
        "region": "NSW",
        "postcode": "2042",
        "country_code": "AU",
        "lat": "-33.897",
        "lon": "151.179",
    },
    # No coordinates: not usable for a booking, so it is left out.
    {"formatted": "King Street, NSW", "country_code": "AU", "lat": "", "lon": None},
]


class Upstream:
    def __init__(self, *responses: Any) -> None:
        self.responses = list(responses)
        self.requests: list[httpx.Request] = []

    def __call__(self, request: httpx.Request) -> httpx.Response:
        self.requests.append(request)
        item = self.responses.pop(0) if len(self.responses) > 1 else self.responses[0]
        if isinstance(item, Exception):
            raise item
        return item


def client(upstream: Upstream, **kwargs: Any) -> AddressableClient:
    return AddressableClient(
        api_key=KEY,
        base_url="https://api.addressable.dev",
        transport=httpx.MockTransport(upstream),
        **kwargs,
    )


async def test_nz_results_are_normalised_and_the_request_is_well_formed():
    upstream = Upstream(httpx.Response(200, json=NZ_RESULTS))
    c = client(upstream)
    results = await c.autocomplete("1 Queen  St", "NZ", 5)
    await c.aclose()
    request = upstream.requests[0]
    assert request.url.path == "/v2/autocomplete"
    assert dict(request.url.params) == {
        "q": "1 Queen St",
        "country_code": "NZ",
        "max_results": "5",
        "api_key": KEY,
    }
    assert [r.locality for r in results] == ["Auckland Central", "Waiuku"]
    first, second = results
    assert first.city == "Auckland"
    assert first.postcode == "1010"
    assert (first.latitude, first.longitude) == (-36.8437, 174.7669)
    # String coordinates parse the same way as numbers.
    assert (second.latitude, second.longitude) == (-37.2498, 174.7326)


async def test_au_string_coordinates_and_unusable_results():
    upstream = Upstream(httpx.Response(200, json=AU_RESULTS))
    c = client(upstream)
    results = await c.autocomplete("100 King", "AU", 5)
    await c.aclose()
    assert len(results) == 1
    (newtown,) = results
    assert newtown.country == "AU"
    assert newtown.region == "NSW"
    assert newtown.city is None
    assert (newtown.latitude, newtown.longitude) == (-33.897, 151.179)


async def test_rate_limit_is_reported_and_not_retried():
    upstream = Upstream(httpx.Response(429, json={"message": "Too many requests"}))
    c = client(upstream, retries=3)
    with pytest.raises(AddressLookupError) as caught:
        await c.autocomplete("queen", "NZ", 5)
    await c.aclose()
    assert caught.value.code is ErrorCode.RATE_LIMITED
    assert len(upstream.requests) == 1


async def test_timeouts_are_retried_a_bounded_number_of_times():
    upstream = Upstream(httpx.ReadTimeout("slow"))
    c = client(upstream, retries=2)
    with pytest.raises(AddressLookupError) as caught:
        await c.autocomplete("queen", "NZ", 5)
    await c.aclose()
    assert caught.value.code is ErrorCode.ADDRESS_LOOKUP_UNAVAILABLE
    assert len(upstream.requests) == 3


async def test_a_timeout_then_success_recovers():
    upstream = Upstream(
        httpx.ConnectTimeout("slow"), httpx.Response(200, json=NZ_RESULTS)
    )
    c = client(upstream, retries=1)
    results = await c.autocomplete("queen", "NZ", 5)
    await c.aclose()
    assert len(results) == 2
    assert len(upstream.requests) == 2


async def test_a_503_is_retried_once_then_reported():
    upstream = Upstream(httpx.Response(503))
    c = client(upstream, retries=1)
    with pytest.raises(AddressLookupError) as caught:
        await c.autocomplete("queen", "NZ", 5)
    await c.aclose()
    assert caught.value.code is ErrorCode.ADDRESS_LOOKUP_UNAVAILABLE
    assert len(upstream.requests) == 2


@pytest.mark.parametrize("status", [502, 504])
async def test_other_gateway_failures_are_retried(status):
    upstream = Upstream(httpx.Response(status), httpx.Response(200, json=NZ_RESULTS))
    c = client(upstream, retries=1)
    results = await c.autocomplete("queen", "NZ", 5)
    await c.aclose()
    assert len(results) == 2
    assert len(upstream.requests) == 2


async def test_connection_failures_are_retried_then_reported():
    upstream = Upstream(httpx.ConnectError("refused"))
    c = client(upstream, retries=2, retry_backoff=0)
    with pytest.raises(AddressLookupError) as caught:
        await c.autocomplete("queen", "NZ", 5)
    await c.aclose()
    assert caught.value.code is ErrorCode.ADDRESS_LOOKUP_UNAVAILABLE
    assert len(upstream.requests) == 3


@pytest.mark.parametrize("status", [401, 403, 400, 500])
async def test_other_failures_are_unavailable_without_retry(status):
    upstream = Upstream(httpx.Response(status, json={"message": "no"}))
    c = client(upstream, retries=2)
    with pytest.raises(AddressLookupError) as caught:
        await c.autocomplete("queen", "NZ", 5)
    await c.aclose()
    assert caught.value.code is ErrorCode.ADDRESS_LOOKUP_UNAVAILABLE
    assert KEY not in caught.value.message
    assert len(upstream.requests) == 1


async def test_non_json_is_unavailable():
    upstream = Upstream(httpx.Response(200, text="<html>maintenance</html>"))
    c = client(upstream)
    with pytest.raises(AddressLookupError):
        await c.autocomplete("queen", "NZ", 5)
    await c.aclose()


async def test_repeated_queries_are_served_from_the_cache_until_they_expire():
    now = [1000.0]
    upstream = Upstream(httpx.Response(200, json=NZ_RESULTS))
    c = client(upstream, cache_ttl=60, clock=lambda: now[0])
    await c.autocomplete("Queen St", "NZ", 5)
    await c.autocomplete("  queen   st ", "NZ", 5)  # same query, normalised
    assert len(upstream.requests) == 1
    await c.autocomplete("Queen St", "AU", 5)  # another country is another query
    assert len(upstream.requests) == 2
    now[0] += 61
    await c.autocomplete("Queen St", "NZ", 5)
    assert len(upstream.requests) == 3
    await c.aclose()


async def test_the_cache_is_bounded():
    upstream = Upstream(httpx.Response(200, json=NZ_RESULTS))
    c = client(upstream, cache_size=2)
    for q in ("aaa", "bbb", "ccc"):
        await c.autocomplete(q, "NZ", 5)
    assert len(c.cache) == 2
    await c.autocomplete("aaa", "NZ", 5)  # evicted first, so fetched again
    assert len(upstream.requests) == 4
    await c.aclose()


@pytest.mark.parametrize("setting", [{"cache_size": 0}, {"cache_ttl": 0}])
async def test_a_zero_cache_size_or_ttl_turns_the_cache_off(setting):
    upstream = Upstream(httpx.Response(200, json=NZ_RESULTS))
    c = client(upstream, **setting)
    await c.autocomplete("queen", "NZ", 5)
    await c.autocomplete("queen", "NZ", 5)
    assert len(upstream.requests) == 2
    assert len(c.cache) == 0
    await c.aclose()


async def test_failures_are_not_cached():
    upstream = Upstream(httpx.Response(429), httpx.Response(200, json=NZ_RESULTS))
    c = client(upstream)
    with pytest.raises(AddressLookupError):
        await c.autocomplete("queen", "NZ", 5)
    assert len(await c.autocomplete("queen", "NZ", 5)) == 2
    await c.aclose()


def test_the_shared_client_has_a_two_second_timeout():
    c = AddressableClient(api_key=KEY)
    timeout = c._http.timeout
    assert (timeout.connect, timeout.read, timeout.write, timeout.pool) == (2, 2, 2, 2)


@pytest.mark.parametrize(
    ("lat", "lon", "usable"),
    [
        (-36.8, 174.7, True),
        ("-36.8", "174.7", True),
        (" -36.8 ", "174.7", True),
        ("nan", "174.7", False),
        ("-36.8", "inf", False),
        (-91, 174.7, False),
        (-36.8, 181, False),
        (True, 174.7, False),
        ("", 174.7, False),
        ("south", "east", False),
    ],
)
def test_coordinates_are_parsed_defensively(lat, lon, usable):
    from gigsta.integrations.addressable import parse_suggestion

    item = {"formatted": "1 Queen Street", "lat": lat, "lon": lon}
    parsed = parse_suggestion(item, "NZ")
    assert (parsed is not None) is usable
    if usable:
        assert (parsed.latitude, parsed.longitude) == (-36.8, 174.7)
        assert parsed.country == "NZ"
