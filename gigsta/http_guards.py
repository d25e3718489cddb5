"""ASGI middleware in front of every route: a body size cap and security headers.

- `BodySizeLimitMiddleware` reads at most `max_bytes` of a request body. A
  declared `Content-Length` over the cap is refused before reading anything;
  a body streamed without one is refused as soon as it passes the cap. The
  refusal is HTTP 413 with a GraphQL-shaped body whose `extensions.code` is
  `REQUEST_TOO_LARGE`, so a 20 MB body costs neither memory nor parsing.
  Stripe's webhook events are a few KB (far below the cap); the GraphQL
  endpoint takes no file bodies (files go straight to R2 with presigned URLs).
- `SecurityHeadersMiddleware` adds, to every response: `nosniff`, no referrer,
  no framing (`X-Frame-Options` and CSP `frame-ancestors`), `no-store`
  (unless the response sets its own `Cache-Control`), a CSP that allows
  nothing on API responses and only this origin on GraphiQL's page, and in
  production `Strict-Transport-Security`.
"""

from __future__ import annotations

import json
from typing import TYPE_CHECKING, Any

from gigsta.observability import record_error_codes

if TYPE_CHECKING:
    from starlette.types import ASGIApp, Message, Receive, Scope, Send

    from gigsta.settings import Settings

REQUEST_TOO_LARGE = "REQUEST_TOO_LARGE"


def error_body(message: str, code: str, request_id: str) -> dict[str, Any]:
    """A GraphQL-shaped answer for a request refused before (or instead of)
    execution: one error with its code and the request id."""
    record_error_codes([code])
    return {
        "errors": [
            {
                "message": message,
                "extensions": {"code": code, "requestId": request_id},
            }
        ]
    }


class BodyTooLargeError(Exception):
    pass


class BodySizeLimitMiddleware:
    def __init__(self, app: ASGIApp, max_bytes: int) -> None:
        self.app = app
        self.max_bytes = max_bytes

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        declared = _content_length(scope)
        if declared is not None and declared > self.max_bytes:
            await self._refuse(scope, send)
            return
        try:
            body = await self._read_body(receive)
        except BodyTooLargeError:
            await self._refuse(scope, send)
            return
        replayed = False

        async def replay() -> Message:
            nonlocal replayed
            if replayed:  # later reads wait for the disconnect, as usual
                return await receive()
            replayed = True
            return {"type": "http.request", "body": body, "more_body": False}

        await self.app(scope, replay, send)

    async def _read_body(self, receive: Receive) -> bytes:
        chunks: list[bytes] = []
        size = 0
        while True:
            message = await receive()
            if message["type"] == "http.disconnect":
                break
            chunk = message.get("body", b"")
            size += len(chunk)
            if size > self.max_bytes:
                raise BodyTooLargeError
            chunks.append(chunk)
            if not message.get("more_body", False):
                break
        return b"".join(chunks)

    async def _refuse(self, scope: Scope, send: Send) -> None:
        state = scope.setdefault("state", {})
        message = f"The request body is larger than {self.max_bytes} bytes."
        body = json.dumps(
            error_body(message, REQUEST_TOO_LARGE, state.get("request_id", "-"))
        ).encode()
        await send(
            {
                "type": "http.response.start",
                "status": 413,
                "headers": [
                    (b"content-type", b"application/json"),
                    (b"content-length", str(len(body)).encode()),
                ],
            }
        )
        await send({"type": "http.response.body", "body": body})


def _content_length(scope: Scope) -> int | None:
    for name, value in scope.get("headers") or ():
        if name == b"content-length":
            try:
                return int(value)
            except ValueError:
                return None
    return None


_COMMON_HEADERS = (
    (b"x-content-type-options", b"nosniff"),
    (b"referrer-policy", b"no-referrer"),
    (b"x-frame-options", b"DENY"),
    (b"cache-control", b"no-store"),
)
# API answers are data: nothing in them may run, load or be framed.
_API_CSP = b"default-src 'none'; frame-ancestors 'none'"
# GraphiQL's page (the only HTML) loads everything from this origin. Its
# styles may be inline: GraphiQL's dialogs inject <style> elements.
_HTML_CSP = (
    b"default-src 'none'; script-src 'self'; style-src 'self' 'unsafe-inline'; "
    b"img-src 'self' data:; font-src 'self' data:; connect-src 'self'; "
    b"base-uri 'none'; form-action 'none'; frame-ancestors 'none'"
)
_HSTS = b"max-age=63072000; includeSubDomains"


class SecurityHeadersMiddleware:
    def __init__(self, app: ASGIApp, settings: Settings) -> None:
        self.app = app
        self.hsts = settings.production

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return

        async def send_with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                message["headers"] = self._headers(list(message.get("headers", ())))
            await send(message)

        await self.app(scope, receive, send_with_headers)

    def _headers(self, headers: list[tuple[bytes, bytes]]) -> list[tuple[bytes, bytes]]:
        present = {name.lower() for name, _ in headers}
        content_type = next(
            (value for name, value in headers if name.lower() == b"content-type"), b""
        )
        added = [*_COMMON_HEADERS]
        added.append(
            (
                b"content-security-policy",
                _HTML_CSP if content_type.startswith(b"text/html") else _API_CSP,
            )
        )
        if self.hsts:
            added.append((b"strict-transport-security", _HSTS))
        return [*headers, *(h for h in added if h[0] not in present)]
