"""A recording proxy in front of localstripe.

The app's `STRIPE_API_BASE` points here; every request is forwarded to
localstripe unchanged and recorded with its headers, so tests can check what
the real `stripe` library sent (the `Idempotency-Key` above all). Tests can
also make Stripe fail for one request, either before it reaches localstripe
("Stripe was down") or after localstripe applied it ("the answer was lost"),
which is how a retried transition is exercised without mocking our code.
A request can be slowed down too ("Stripe is slow"), before it is forwarded.
"""

from __future__ import annotations

import asyncio
import threading
from dataclasses import dataclass, field
from urllib.parse import parse_qsl

import aiohttp
from aiohttp import web

from tests.integrations.threaded_server import ThreadedServer


@dataclass
class Recorded:
    method: str
    path: str
    headers: dict[str, str]
    params: dict[str, str]
    status: int = 0


@dataclass
class _Failure:
    method: str
    path_suffix: str
    after_forwarding: bool


@dataclass
class StripeRecorder:
    upstream: str
    requests: list[Recorded] = field(default_factory=list)
    _failures: list[_Failure] = field(default_factory=list)
    _delays: list[tuple[str, str, float]] = field(default_factory=list)
    _lock: threading.Lock = field(default_factory=threading.Lock)
    server: ThreadedServer | None = None

    @property
    def url(self) -> str:
        assert self.server is not None
        return self.server.url

    def start(self) -> StripeRecorder:
        app = web.Application()
        app.router.add_route("*", "/{tail:.*}", self._handle)
        self.server = ThreadedServer(app).start()
        return self

    def stop(self) -> None:
        if self.server is not None:
            self.server.stop()

    def reset(self) -> None:
        with self._lock:
            self.requests.clear()
            self._failures.clear()
            self._delays.clear()

    def delay_next(self, method: str, path_suffix: str, seconds: float) -> None:
        """Hold the next matching request for `seconds` before forwarding it."""
        with self._lock:
            self._delays.append((method, path_suffix, seconds))

    def _take_delay(self, method: str, path: str) -> float:
        with self._lock:
            for delay in self._delays:
                if delay[0] == method and path.endswith(delay[1]):
                    self._delays.remove(delay)
                    return delay[2]
        return 0.0

    def fail_next(
        self, method: str, path_suffix: str, *, after_forwarding: bool = False
    ) -> None:
        """Make the next `method` request whose path ends with `path_suffix` fail."""
        with self._lock:
            self._failures.append(_Failure(method, path_suffix, after_forwarding))

    def calls(self, method: str, path_suffix: str = "") -> list[Recorded]:
        with self._lock:
            return [
                r
                for r in self.requests
                if r.method == method and r.path.endswith(path_suffix)
            ]

    def _take_failure(self, method: str, path: str) -> _Failure | None:
        with self._lock:
            for failure in self._failures:
                if failure.method == method and path.endswith(failure.path_suffix):
                    self._failures.remove(failure)
                    return failure
        return None

    async def _handle(self, request: web.Request) -> web.Response:
        body = await request.read()
        record = Recorded(
            method=request.method,
            path=request.path,
            headers=dict(request.headers),
            params=dict(parse_qsl(body.decode() or request.query_string)),
        )
        with self._lock:
            self.requests.append(record)
        failure = self._take_failure(request.method, request.path)
        await asyncio.sleep(self._take_delay(request.method, request.path))
        error = web.json_response(
            {"error": {"type": "api_error", "message": "Simulated Stripe outage."}},
            status=500,
        )
        if failure is not None and not failure.after_forwarding:
            record.status = 500
            return error
        headers = {
            k: v
            for k, v in request.headers.items()
            if k.lower() not in {"host", "content-length", "accept-encoding"}
        }
        async with (
            aiohttp.ClientSession() as session,
            session.request(
                request.method,
                self.upstream + request.path_qs,
                data=body or None,
                headers=headers,
            ) as upstream,
        ):
            payload = await upstream.read()
            status = upstream.status
        if failure is not None:
            record.status = 500
            return error
        record.status = status
        return web.Response(
            body=payload, status=status, content_type="application/json"
        )
