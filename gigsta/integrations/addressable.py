"""Addressable.dev address autocomplete for NZ and AU, through one shared
`httpx.AsyncClient`.

Every call is bounded: a per-attempt timeout and a small number of retries (only
for timeouts, connection failures and 502/503/504), spaced by a short exponential
backoff with jitter (tenacity). Upstream failures become an `AddressLookupError`
with a stable code; the API key stays on the server. Repeated queries are
answered from a bounded, time-limited cache (cachetools) to spare the quota.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable
from typing import Any

import httpx
from cachetools import TTLCache
from tenacity import (
    AsyncRetrying,
    RetryCallState,
    retry_if_exception_type,
    retry_if_result,
    stop_after_attempt,
    wait_exponential,
    wait_random,
)

from gigsta.domain.core import ErrorCode
from gigsta.domain.places import Address, valid_coordinates

log = logging.getLogger(__name__)

AUTOCOMPLETE_PATH = "/v2/autocomplete"
_RETRYABLE_STATUSES = frozenset({502, 503, 504})
# However many retries are configured, one pause never grows past this: the
# caller is a person waiting on an autocomplete box.
_MAX_BACKOFF_SECONDS = 2.0
MAX_RESULTS_CAP = 10

CacheKey = tuple[str, ...]


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
        # Least recently used entries go first when full; each also expires
        # `cache_ttl` seconds after it was stored. A size or ttl of 0 turns
        # caching off (see `_remember`).
        self.cache: TTLCache[CacheKey, list[Address], float] = TTLCache(
            maxsize=max(0, cache_size), ttl=cache_ttl, timer=clock
        )
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
        self._remember(key, results)
        return results

    def _remember(self, key: CacheKey, results: list[Address]) -> None:
        # cachetools refuses an item larger than `maxsize` (ValueError), and an
        # entry with no time to live would only push a live one out.
        if self.cache.maxsize > 0 and self.cache.ttl > 0:
            self.cache[key] = results

    def _retrying(self) -> AsyncRetrying:
        # A fresh controller per call: tenacity keeps per-call statistics on it.
        return AsyncRetrying(
            stop=stop_after_attempt(self.retries + 1),
            # Growing pauses with random jitter, so retries from many requests
            # do not reach a struggling upstream in lockstep.
            wait=wait_exponential(
                multiplier=self.retry_backoff, max=_MAX_BACKOFF_SECONDS
            )
            + wait_random(0, self.retry_backoff),
            # Timeouts and connection failures, and the gateway statuses that
            # say "try again". A 429 asks us to slow down, and other statuses
            # would fail the same way again.
            retry=retry_if_exception_type(httpx.TransportError)
            | retry_if_result(_retryable_response),
            # Out of attempts: hand back the last response or raise the last
            # transport error, so `_get` reports it like any other.
            retry_error_callback=_last_outcome,
        )

    async def _get(self, params: dict[str, str]) -> Any:
        try:
            response: httpx.Response = await self._retrying()(
                self._http.get, AUTOCOMPLETE_PATH, params=params
            )
        except httpx.TimeoutException as exc:
            raise _unavailable(f"timeout ({type(exc).__name__})") from exc
        except httpx.TransportError as exc:
            raise _unavailable(f"transport error ({type(exc).__name__})") from exc
        status = response.status_code
        if status == 429:
            raise AddressLookupError(
                ErrorCode.RATE_LIMITED,
                "Too many address lookups right now. Wait a moment and retry.",
            )
        if status in (401, 403):
            raise _unavailable(f"upstream refused the API key ({status})")
        if status >= 400:
            raise _unavailable(f"upstream status {status}")
        try:
            return response.json()
        except ValueError as exc:
            raise _unavailable("response is not JSON") from exc


def _retryable_response(response: httpx.Response) -> bool:
    return response.status_code in _RETRYABLE_STATUSES


def _last_outcome(state: RetryCallState) -> Any:
    assert state.outcome is not None
    return state.outcome.result()
