"""The GraphQL HTTP endpoint: authentication, error masking and status codes.

Every answer is GraphQL-shaped JSON, the malformed request's too. Refused
before any GraphQL work, with HTTP 400 `BAD_REQUEST`: a body that is not JSON
(or not UTF-8, or nested too deeply to parse), a POST that is not
`application/json`, no `query` (nor a persisted query's hash), a `query`,
`variables` or `extensions` of the wrong JSON type, a batch (a JSON list).
Variables nested deeper than `MAX_VARIABLE_DEPTH` get 400 `VARIABLES_TOO_DEEP`.
A mutation over GET, or a method other than GET and POST, gets 405
`METHOD_NOT_ALLOWED` with `Allow`, as the GraphQL-over-HTTP spec requires.
An operation that outlives its time budget is cancelled and gets 503
`TIMEOUT`. The checks: `gigsta.schema.request_checks`; the answers:
`gigsta.schema.responses`. Automatic persisted queries: see
`gigsta.schema.core.persisted_queries`.
"""

from __future__ import annotations

import asyncio
import logging
from typing import TYPE_CHECKING, Any

import orjson
from cross_web import HTTPException
from starlette.requests import Request
from starlette.responses import JSONResponse
from strawberry.asgi import GraphQL
from strawberry.http.parse_content_type import parse_content_type
from strawberry.types import ExecutionResult
from strawberry.types.unset import UNSET

from gigsta.database import is_unavailable
from gigsta.domain.core import ErrorCode
from gigsta.domain.partners import is_api_key
from gigsta.graphiql import graphiql_page
from gigsta.http_guards import error_body
from gigsta.observability import LOG_STATE_KEY
from gigsta.resolvers.accounts.credentials import InvalidTokenError
from gigsta.resolvers.accounts.sessions import Session, authenticate
from gigsta.resolvers.partners import authenticate_key
from gigsta.schema import OUTAGE_MESSAGES
from gigsta.schema.client_address import client_address
from gigsta.schema.core.context import Context
from gigsta.schema.core.dataloaders import UserByIdLoader
from gigsta.schema.live_connections import WebSocketSessions
from gigsta.schema.request_checks import (
    NOT_JSON,
    RequestRefusedError,
    check_body,
    check_nesting,
    decode_query_params,
    refusal_for,
)
from gigsta.schema.responses import OperationTimeoutError, http_result

if TYPE_CHECKING:
    from cross_web import AsyncHTTPRequestAdapter
    from starlette.responses import Response
    from starlette.types import Receive, Scope, Send
    from strawberry.http import GraphQLHTTPResponse, GraphQLRequestData
    from strawberry.http.base import BaseRequestProtocol
    from strawberry.http.types import QueryParams
    from strawberry.types import SubscriptionExecutionResult

    from gigsta.runtime import Runtime

log = logging.getLogger("gigsta.graphql")

_HTTP_CODES = {404: "NOT_FOUND", 405: "METHOD_NOT_ALLOWED"}


def _request_id(request: Request) -> str:
    request_id: str = request.scope.get("state", {}).get("request_id", "-")
    return request_id


class GigstaGraphQL(WebSocketSessions, GraphQL[Context, None]):
    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "http":
            request = Request(scope, receive)
            state = scope.get("state", {})
            request_id = state.get("request_id", "-")
            try:
                session = await self._authenticate(request)
            except InvalidTokenError as exc:
                state.get(LOG_STATE_KEY, {})["outcome"] = "unauthenticated"
                response = JSONResponse(
                    error_body(str(exc), "UNAUTHENTICATED", request_id),
                    status_code=401,
                    headers={"WWW-Authenticate": 'Bearer error="invalid_token"'},
                )
                await response(scope, receive, send)
                return
            except Exception as exc:
                # A token is checked against its account: with the database
                # away, a signed-in request cannot be authenticated (anonymous
                # ones still run).
                if not is_unavailable(exc):
                    raise
                state.get(LOG_STATE_KEY, {})["outcome"] = "unavailable"
                code = ErrorCode.DATABASE_UNAVAILABLE
                response = JSONResponse(
                    error_body(OUTAGE_MESSAGES[code], code.value, request_id),
                    status_code=503,
                    headers={"Retry-After": "5"},
                )
                await response(scope, receive, send)
                return
            scope.setdefault("state", {})["session"] = session
            if session is not None:
                state.get(LOG_STATE_KEY, {})["user_id"] = session.viewer.user_id
        await super().__call__(scope, receive, send)

    async def render_graphql_ide(self, request: Request) -> Response:
        """Our GraphiQL page: every file it loads comes from this server."""
        runtime: Runtime = request.app.state.runtime
        return graphiql_page(runtime.settings.graphiql_dir)

    @staticmethod
    async def _authenticate(request: Request) -> Session | None:
        header = request.headers.get("authorization")
        if header is None:
            return None
        scheme, _, token = header.partition(" ")
        if scheme.lower() != "bearer" or not token.strip():
            raise InvalidTokenError("Use `Authorization: Bearer <token>`.")
        runtime: Runtime = request.app.state.runtime
        if is_api_key(token.strip()):
            return await authenticate_key(token.strip(), now=runtime.clock())
        return await authenticate(
            token.strip(),
            secret=runtime.settings.require_jwt_secret(),
            now=runtime.clock(),
        )

    async def run(  # type: ignore[override]
        self,
        request: Request,
        context: Context = UNSET,
        root_value: None = UNSET,
    ) -> Response:
        try:
            return await super().run(request, context, root_value)
        except HTTPException as exc:
            code = getattr(exc, "code", None) or _HTTP_CODES.get(
                exc.status_code, "BAD_REQUEST"
            )
            headers = getattr(exc, "headers", None)
            if exc.status_code == 405 and headers is None:
                headers = {"Allow": "GET, POST"}
            state = request.scope.setdefault("state", {})
            state.setdefault(LOG_STATE_KEY, {})["outcome"] = "invalid_request"
            return JSONResponse(
                error_body(exc.reason, code, _request_id(request)),
                status_code=exc.status_code,
                headers=headers,
            )

    def should_render_graphql_ide(self, request: BaseRequestProtocol) -> bool:
        # A GET naming a persisted query has no `query` either: it wants JSON.
        return (
            super().should_render_graphql_ide(request)
            and request.query_params.get("extensions") is None
        )

    def parse_query_params(self, params: QueryParams) -> dict[str, Any]:
        return decode_query_params(params)

    def parse_json(self, data: str | bytes) -> object:
        try:
            return self.decode_json(data)
        except ValueError:  # not JSON, or not UTF-8
            raise RequestRefusedError(
                400, f"The body is not valid JSON. {NOT_JSON}"
            ) from None

    def decode_json(self, data: str | bytes) -> object:
        try:
            decoded = super().decode_json(data)
        except RecursionError:
            # The standard decoder recurses per level: thousands of nested
            # brackets exhaust the stack before any of our checks could run.
            raise RequestRefusedError(
                400, "The JSON body is nested too deeply."
            ) from None
        return check_body(decoded)

    def encode_json(self, data: object) -> str:
        """An answer as compact JSON, by orjson: a page of 20 bookings in
        6 us against the standard encoder's 77. Text, not bytes: over a
        WebSocket, Strawberry sends bytes as a binary frame, and the
        subscription protocols' clients read text frames."""
        return orjson.dumps(data).decode()

    async def parse_http_body(
        self, request: AsyncHTTPRequestAdapter
    ) -> GraphQLRequestData | list[GraphQLRequestData]:
        content_type, _ = parse_content_type(request.content_type or "")
        if request.method == "POST" and content_type != "application/json":
            raise RequestRefusedError(400, NOT_JSON)
        parsed = await super().parse_http_body(request)
        check_nesting(parsed)
        return parsed

    async def execute_single(  # noqa: PLR0917 - the base class's signature
        self,
        request: Request,
        request_adapter: AsyncHTTPRequestAdapter,
        sub_response: Response,
        context: Context,
        root_value: None,
        request_data: GraphQLRequestData,
    ) -> ExecutionResult:
        try:
            return await super().execute_single(
                request,
                request_adapter,
                sub_response,
                context,
                root_value,
                request_data,
            )
        except HTTPException as exc:
            refusal = refusal_for(exc)
            if refusal is None:
                raise
            raise refusal from None

    async def execute_operation(  # noqa: PLR0917 - the base class's signature
        self,
        request: Request,
        request_adapter: AsyncHTTPRequestAdapter,
        request_data: GraphQLRequestData | list[GraphQLRequestData],
        context: Context,
        root_value: None,
        sub_response: Response,
    ) -> ExecutionResult | list[ExecutionResult] | SubscriptionExecutionResult:
        """Run the operation within its time budget; past it, cancel it.

        Cancellation reaches the resolvers at their next `await`; the steps
        that move money run as tasks of their own and finish regardless
        (`gigsta.resolvers.core.critical`). Parsing and validation cannot be
        interrupted, which is why they are bounded by the document limits.
        """
        seconds = context.runtime.settings.request_timeout_seconds
        budget = asyncio.timeout(seconds)
        try:
            async with budget:
                return await super().execute_operation(
                    request,
                    request_adapter,
                    request_data,
                    context,
                    root_value,
                    sub_response,
                )
        except TimeoutError:
            if not budget.expired():
                raise
        log.warning(
            "operation %s cancelled after its %g s budget (request %s)",
            context.log_fields.get("operation") or "-",
            seconds,
            context.request_id,
        )
        context.log_fields["outcome"] = "timeout"
        sub_response.status_code = 503
        return ExecutionResult(
            data=None, errors=[OperationTimeoutError(seconds, context.request_id)]
        )

    async def get_context(self, request: Any, response: Any) -> Context:
        runtime: Runtime = request.app.state.runtime
        state = request.scope.setdefault("state", {})
        state["sub_response"] = response
        peer = request.client.host if request.client else None
        session: Session | None = state.get("session")
        context = Context(
            request=request,
            response=response,
            runtime=runtime,
            request_id=state.get("request_id", "-"),
            viewer=session.viewer if session else None,
            session_expires_at=session.expires_at if session else None,
            now=runtime.clock(),
            client_address=client_address(
                peer,
                request.headers.getlist("x-forwarded-for"),
                runtime.settings.trusted_proxies,
            ),
            log_fields=state.setdefault(LOG_STATE_KEY, {}),
        )
        if session is not None and session.user.id is not None:
            # Already read to authenticate: `viewer` needs no second read.
            context.loader(UserByIdLoader).prime(session.user.id, session.user)
        return context

    async def process_result(
        self, request: Request, result: ExecutionResult
    ) -> GraphQLHTTPResponse:
        return http_result(result, request.scope.get("state", {}))
