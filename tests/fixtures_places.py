"""Fixtures for places and files: moto's S3 server (as R2) in its own process,
and an Addressable upstream behind `httpx.MockTransport`."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from typing import Any

import httpx
import pytest

from scripts.processes import stop_process
from scripts.standins.addressable import search
from scripts.standins.s3 import (
    LOCAL_ACCESS_KEY_ID,
    LOCAL_SECRET_ACCESS_KEY,
    create_bucket,
    start_s3,
)

TEST_BUCKET = "gigsta-test"
ADDRESSABLE_TEST_KEY = "test-addressable-key"

Handler = Callable[[httpx.Request], httpx.Response]


@dataclass
class FakeAddressable:
    """Answers like api.addressable.dev: the demo addresses plus `extra` ones,
    unless a test sets `handler` (for 429s, timeouts, ...)."""

    requests: list[httpx.Request] = field(default_factory=list)
    extra: list[dict[str, Any]] = field(default_factory=list)
    handler: Handler | None = None

    def reset(self) -> None:
        self.requests.clear()
        self.extra.clear()
        self.handler = None

    def add(
        self,
        formatted: str,
        latitude: float,
        longitude: float,
        *,
        country: str = "NZ",
        locality: str = "Testville",
        street: str = "Test Street",
        street_number: str = "1",
    ) -> None:
        self.extra.append(
            {
                "formatted": formatted,
                "street_number": street_number,
                "street": street,
                "locality": locality,
                "city": "Test City" if country == "NZ" else None,
                "region": "Test Region",
                "postcode": "9999",
                "country_code": country,
                "lat": latitude,
                "lon": str(longitude),  # one as a string, as the API sometimes does
            }
        )

    def __call__(self, request: httpx.Request) -> httpx.Response:
        self.requests.append(request)
        if self.handler is not None:
            return self.handler(request)
        params = request.url.params
        if params.get("api_key") != ADDRESSABLE_TEST_KEY:
            return httpx.Response(401, json={"message": "Invalid API key"})
        query = params.get("q", "").lower()
        country = params.get("country_code", "")
        limit = int(params.get("max_results", "5"))
        extra = [
            a
            for a in self.extra
            if a["country_code"] == country
            and all(w in a["formatted"].lower() for w in query.split())
        ]
        return httpx.Response(200, json=(extra + search(query, country, limit))[:limit])

    @property
    def transport(self) -> httpx.MockTransport:
        return httpx.MockTransport(self)


@pytest.fixture(scope="session")
def addressable_upstream() -> FakeAddressable:
    return FakeAddressable()


@pytest.fixture(scope="session")
def s3_endpoint(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    log = tmp_path_factory.mktemp("moto") / "moto.log"
    proc, endpoint = start_s3(log)
    try:
        create_bucket(endpoint, TEST_BUCKET)
        yield endpoint
    finally:
        stop_process(proc)


@pytest.fixture(scope="session")
def places_settings(s3_endpoint: str) -> dict[str, Any]:
    """Extra Settings for the app under test (merged by the `settings` fixture)."""
    return {
        "ADDRESSABLE_API_KEY": ADDRESSABLE_TEST_KEY,
        "ADDRESSABLE_BASE_URL": "https://api.addressable.dev",
        "R2_ENDPOINT_URL": s3_endpoint,
        "R2_BUCKET": TEST_BUCKET,
        "R2_ACCESS_KEY_ID": LOCAL_ACCESS_KEY_ID,
        "R2_SECRET_ACCESS_KEY": LOCAL_SECRET_ACCESS_KEY,
        "R2_REGION": "auto",
        # The app is shared by the whole session, so its suggestion cache would
        # carry answers from one test into the next; the cache has its own tests
        # (tests/integrations/test_addressable.py).
        "ADDRESSABLE_CACHE_SIZE": 0,
    }


@pytest.fixture(autouse=True)
def _reset_places(addressable_upstream: FakeAddressable) -> None:
    addressable_upstream.reset()
