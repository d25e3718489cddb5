"""The HTTP side of partner webhooks: resolving a receiver's host and checking
every address it resolves to (SSRF), and one signed POST with httpx.

The check runs at registration and again before every send. httpx resolves
the name once more when it connects, so a name whose answers change between
the two (DNS rebinding) is narrowed to that short window, not closed.
"""

from __future__ import annotations

import asyncio
import socket
import time
from dataclasses import dataclass
from urllib.parse import urlsplit

import httpx

from gigsta.domain.webhooks import refused_address


class UnsafeAddressError(Exception):
    """The receiver's host is, or resolves to, an address we may not call."""


@dataclass(frozen=True, slots=True)
class PostResult:
    status_code: int | None
    error: str | None
    duration_ms: int

    @property
    def success(self) -> bool:
        return self.status_code is not None and 200 <= self.status_code < 300


async def check_host(url: str, *, allow_private: bool) -> None:
    """Raise `UnsafeAddressError` unless every address of the URL's host is
    public (or private ones are allowed); an unresolvable host too."""
    parts = urlsplit(url)
    host = parts.hostname or ""
    port = parts.port or (443 if parts.scheme == "https" else 80)
    try:
        infos = await asyncio.get_running_loop().getaddrinfo(
            host, port, type=socket.SOCK_STREAM
        )
    except OSError as error:
        raise UnsafeAddressError(f"{host} does not resolve: {error}") from error
    addresses = {str(info[4][0]) for info in infos}
    if not addresses:
        raise UnsafeAddressError(f"{host} does not resolve")
    refused = sorted(a for a in addresses if refused_address(a))
    if refused and not allow_private:
        raise UnsafeAddressError(f"{host} resolves to {', '.join(refused)}")


async def post(
    url: str, body: str, headers: dict[str, str], *, timeout_seconds: float
) -> PostResult:
    """POST `body`; the status, or the network error, and how long it took.
    Redirects are not followed (a redirect could lead past the check)."""
    started = time.perf_counter()
    status, error = None, None
    try:
        async with httpx.AsyncClient(
            timeout=timeout_seconds, follow_redirects=False
        ) as http:
            response = await http.post(
                url,
                content=body.encode(),
                headers={"Content-Type": "application/json", **headers},
            )
        status = response.status_code
    except httpx.HTTPError as failure:
        error = f"{type(failure).__name__}: {failure}"[:500]
    elapsed = round((time.perf_counter() - started) * 1000)
    return PostResult(status_code=status, error=error, duration_ms=elapsed)
