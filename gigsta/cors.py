"""Cross-origin requests from the browser apps listed in `GIGSTA_CORS_ORIGINS`.

Starlette's `CORSMiddleware`, configured for a bearer-token API: `GET` and
`POST`, the `Authorization` and `Content-Type` request headers (and a client's
own `X-Request-ID`), `X-Request-ID` and `Retry-After` readable by the page,
no cookies (so no credentials mode), preflights cached for two hours.

Unlike Starlette's, a request from an origin that is not listed gets no
`Access-Control-*` header at all, its preflight included: the browser then
refuses the page the answer, and nothing in it hints at the configuration.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from starlette.datastructures import MutableHeaders
from starlette.middleware.cors import CORSMiddleware
from starlette.responses import PlainTextResponse

if TYPE_CHECKING:
    from collections.abc import Collection

    from starlette.datastructures import Headers
    from starlette.responses import Response
    from starlette.types import ASGIApp, Message, Send

# Chromium caps a cached preflight at two hours (Firefox at a day).
PREFLIGHT_MAX_AGE_SECONDS = 7200


class AllowedOriginsCORSMiddleware(CORSMiddleware):
    def __init__(self, app: ASGIApp, origins: Collection[str]) -> None:
        super().__init__(
            app,
            allow_origins=tuple(origins),
            allow_methods=("GET", "POST"),
            allow_headers=("Authorization", "Content-Type", "X-Request-ID"),
            expose_headers=("X-Request-ID", "Retry-After"),
            max_age=PREFLIGHT_MAX_AGE_SECONDS,
        )

    def preflight_response(self, request_headers: Headers) -> Response:
        if self.is_allowed_origin(request_headers["origin"]):
            return super().preflight_response(request_headers)
        return PlainTextResponse(
            "Disallowed CORS origin", status_code=400, headers={"Vary": "Origin"}
        )

    async def send(
        self, message: Message, send: Send, request_headers: Headers
    ) -> None:
        origin = request_headers.get("origin")
        if origin is None or self.is_allowed_origin(origin):
            await super().send(message, send, request_headers)
            return
        if message["type"] == "http.response.start":
            # The answer still depends on the origin, for any cache in between.
            MutableHeaders(scope=message).add_vary_header("Origin")
        await send(message)
