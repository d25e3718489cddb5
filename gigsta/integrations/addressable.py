"""Addressable.dev address autocomplete for NZ and AU, through one shared
`httpx.AsyncClient`.

Every call is bounded: a per-attempt timeout and a small number of retries (only
for timeouts, connection failures and 502/503/504). Upstream failures become an
`AddressLookupError` with a stable code; the API key stays on the server.
Repeated queries are answered from a bounded, time-limited cache to spare the
quota.
"""

from __future__ import annotations

import asyncio
import logging
import random
import time
from collections import OrderedDict
from collections.abc import Callable
from typing import Any

import httpx

from gigsta.domain.core import ErrorCode
from gigsta.domain.places import Address, valid_coordinates

log = logging.getLogger(__name__)

AUTOCOMPLETE_PATH = "/v2/autocomplete"
_RETRYABLE_STATUSES = frozenset({502, 503, 504})
MAX_RESULTS_CAP = 10


class AddressLookupError(Exception):
    def __init__(self, code: ErrorCode, message: str) -> None:
        super().__init__(message)
        self.code = code
        self.message = message


def _unavailable(detail: str) -> AddressLookupError:
    log.warning("address lookup unavailable: %s", detail)
    return AddressLookupError(
        ErrorCode.ADDRESS_LOOKUP_UNAVAILABLE,
        "Address lookup is unavailable right now. Please try again shortly.",
    )


def _text(value: Any) -> str | None:
    if value is None:
        return None
    text = str(value).strip()
    return text or None


def _coordinate(value: Any) -> float | None:
    """Addressable sends coordinates as numbers or as strings: accept both."""
    if isinstance(value, bool) or value is None:
        return None
    try:
        return float(value)
    except (TypeError, ValueError):
        return None


def _first(item: dict[str, Any], *names: str) -> Any:
    for name in names:
        if item.get(name) not in (None, ""):
            return item[name]
    return None


def parse_suggestion(item: Any, country: str) -> Address | None:
    """One upstream result as an `Address`, or None when it has no usable point."""
    if not isinstance(item, dict):
        return None
    latitude = _coordinate(_first(item, "lat", "latitude"))
    longitude = _coordinate(_first(item, "lon", "lng", "longitude"))
    if latitude is None or longitude is None:
        return None
    if not valid_coordinates(latitude, longitude):
        return None
    formatted = _text(_first(item, "formatted", "full_address", "address"))
    if formatted is None:
        return None
    # We asked for one country; trust a two-letter code only if it is one.
    code = (_text(item.get("country_code")) or country).upper()
    return Address(
        formatted=formatted,
        street_number=_text(item.get("street_number")),
        street=_text(item.get("street")),
        locality=_text(_first(item, "locality", "suburb")),
        city=_text(item.get("city")),
        region=_text(_first(item, "region", "state")),
        postcode=_text(item.get("postcode")),
        country=code if len(code) == 2 else country,
        latitude=latitude,
        longitude=longitude,
    )


class TTLCache:
    """A small LRU cache whose entries also expire after `ttl` seconds."""

    def __init__(
        self,
        *,
        max_size: int,
        ttl: float,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self.max_size = max_size
        self.ttl = ttl
        self.clock = clock
        self._entries: OrderedDict[tuple[str, ...], tuple[float, list[Address]]] = (
            OrderedDict()
        )

    def get(self, key: tuple[str, ...]) -> list[Address] | None:
        entry = self._entries.get(key)
        if entry is None:
            return None
        expires_at, value = entry
        if expires_at <= self.clock():
            del self._entries[key]
            return None
        self._entries.move_to_end(key)
        return value

    def put(self, key: tuple[str, ...], value: list[Address]) -> None:
        if self.max_size <= 0 or self.ttl <= 0:
            return
        self._entries[key] = (self.clock() + self.ttl, value)
        self._entries.move_to_end(key)
        while len(self._entries) > self.max_size:
            self._entries.popitem(last=False)

    def clear(self) -> None:
        self._entries.clear()

    def __len__(self) -> int:
        return len(self._entries)


class AddressableClient:
    def __init__(
        self,
        *,
        api_key: str,
        base_url: str = "https://api.addressable.dev",
        timeout: float = 2.0,
        retries: int = 1,
        retry_backoff: float = 0.1,
        cache_ttl: float = 600.0,
        cache_size: int = 1000,
        transport: httpx.AsyncBaseTransport | None = None,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self._api_key = api_key
        self.retries = max(0, retries)
        self.retry_backoff = max(0.0, retry_backoff)
        self.cache = TTLCache(max_size=cache_size, ttl=cache_ttl, clock=clock)
        self._http = httpx.AsyncClient(
            base_url=base_url.rstrip("/"),
            timeout=httpx.Timeout(timeout),
            transport=transport,
            headers={"Accept": "application/json"},
            follow_redirects=False,
        )

    async def aclose(self) -> None:
        await self._http.aclose()

    async def autocomplete(
        self, query: str, country: str, max_results: int
    ) -> list[Address]:
        """Suggestions for `query` in `country` (NZ or AU), best first."""
        max_results = max(1, min(max_results, MAX_RESULTS_CAP))
        normalised = " ".join(query.split()).lower()
        key = (country, str(max_results), normalised)
        cached = self.cache.get(key)
        if cached is not None:
            return cached
        body = await self._get(
            {
                "q": " ".join(query.split()),
                "country_code": country,
                "max_results": str(max_results),
                "api_key": self._api_key,
            }
        )
        items = body if isinstance(body, list) else None
        if isinstance(body, dict):  # tolerate an envelope around the list
            items = body.get("results") or body.get("data")
        if not isinstance(items, list):
            raise _unavailable("unexpected response shape")
        results = [
            address
            for address in (parse_suggestion(item, country) for item in items)
            if address is not None
        ][:max_results]
        self.cache.put(key, results)
        return results

    async def _backoff(self, attempt: int) -> None:
        # A short, growing, jittered pause: retries from many requests do not
        # reach a struggling upstream in lockstep.
        jitter = 0.5 + random.random()  # noqa: S311 - jitter, not a secret
        await asyncio.sleep(self.retry_backoff * attempt * jitter)

    async def _get(self, params: dict[str, str]) -> Any:
        attempt = 0
        while True:
            try:
                response = await self._http.get(AUTOCOMPLETE_PATH, params=params)
            except httpx.TimeoutException as exc:
                if attempt < self.retries:
                    attempt += 1
                    await self._backoff(attempt)
                    continue
                raise _unavailable(f"timeout ({type(exc).__name__})") from exc
            except httpx.TransportError as exc:
                if attempt < self.retries:
                    attempt += 1
                    await self._backoff(attempt)
                    continue
                raise _unavailable(f"transport error ({type(exc).__name__})") from exc
            status = response.status_code
            if status == 429:
                raise AddressLookupError(
                    ErrorCode.RATE_LIMITED,
                    "Too many address lookups right now. Wait a moment and retry.",
                )
            if status in _RETRYABLE_STATUSES and attempt < self.retries:
                attempt += 1
                await self._backoff(attempt)
                continue
            if status in (401, 403):
                raise _unavailable(f"upstream refused the API key ({status})")
            if status >= 400:
                raise _unavailable(f"upstream status {status}")
            try:
                return response.json()
            except ValueError as exc:
                raise _unavailable("response is not JSON") from exc
