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
`TIMEOUT`. Automatic persisted queries: see
`gigsta.schema.core.persisted_queries`.
"""

from __future__ import annotations

import asyncio
import json
import logging
from typing import TYPE_CHECKING, Any

from cross_web import HTTPException
from graphql import GraphQLError
from starlette.requests import Request
from starlette.responses import JSONResponse
from strawberry.asgi import GraphQL
from strawberry.exceptions import MissingQueryError
from strawberry.http.parse_content_type import parse_content_type
from strawberry.schema.exceptions import InvalidOperationTypeError
from strawberry.types import ExecutionResult
from strawberry.types.graphql import OperationType
from strawberry.types.unset import UNSET

from gigsta.database import is_unavailable
from gigsta.domain.core import ErrorCode
from gigsta.graphiql import graphiql_page
from gigsta.http_guards import error_body
from gigsta.observability import LOG_STATE_KEY, record_error_codes
from gigsta.resolvers.accounts.credentials import InvalidTokenError
from gigsta.resolvers.accounts.sessions import Session, authenticate
from gigsta.schema import (
    OUTAGE_MESSAGES,
    describe_for_client,
    is_unexpected,
    outage,
)
from gigsta.schema.client_address import client_address
from gigsta.schema.core.context import Context
from gigsta.schema.core.dataloaders import UserByIdLoader
from gigsta.schema.core.persisted_queries import is_not_found
from gigsta.schema.live_connections import WebSocketSessions

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

# Our inputs nest a few levels (an input object holding a list of objects);
# anything much deeper is not a request for this API.
MAX_VARIABLE_DEPTH = 32

_HTTP_CODES = {404: "NOT_FOUND", 405: "METHOD_NOT_ALLOWED"}
_NOT_JSON = (
    "Send the operation as a JSON object with `Content-Type: application/json`, "
    "or as a GET with a `query` parameter."
)


class RequestRefusedError(HTTPException):
    """A request refused before any GraphQL work, with its error code."""

    def __init__(
        self,
        status_code: int,
        reason: str,
        code: str,
        headers: dict[str, str] | None = None,
    ) -> None:
        super().__init__(status_code, reason)
        self.code = code
        self.headers = headers


class OperationTimeoutError(GraphQLError):
    """The operation outlived its time budget and was cancelled."""

    def __init__(self, seconds: float, request_id: str) -> None:
        super().__init__(
            f"The request took longer than {seconds:g} s and was stopped. "
            "A change it was making may still complete: reload before retrying. "
            f"Request id: {request_id}.",
            extensions={"code": "TIMEOUT", "requestId": request_id},
        )


def json_nesting_depth(value: object) -> int:
    """How deeply `value` (parsed JSON) nests lists and objects; iterative."""
    deepest = 0
    stack: list[tuple[object, int]] = [(value, 0)]
    while stack:
        current, depth = stack.pop()
        if isinstance(current, dict):
            children: Any = current.values()
        elif isinstance(current, list):
            children = current
        else:
            continue
        deepest = max(deepest, depth + 1)
        if deepest > MAX_VARIABLE_DEPTH:
            break
        stack.extend((child, depth + 1) for child in children)
    return deepest


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
        """GET's parameters; `variables` and `extensions` are JSON-encoded
        (their types are checked with the POST body's)."""
        parsed: dict[str, Any] = dict(params)
        for name in ("variables", "extensions"):
            if parsed.get(name):
                try:
                    parsed[name] = json.loads(parsed[name])
                except (ValueError, RecursionError):
                    raise RequestRefusedError(
                        400,
                        f"The `{name}` parameter must be JSON-encoded.",
                        "BAD_REQUEST",
                    ) from None
        return parsed

    def parse_json(self, data: str | bytes) -> object:
        try:
            return self.decode_json(data)
        except ValueError:  # not JSON, or not UTF-8
            raise RequestRefusedError(
                400, f"The body is not valid JSON. {_NOT_JSON}", "BAD_REQUEST"
            ) from None

    def decode_json(self, data: str | bytes) -> object:
        try:
            decoded = super().decode_json(data)
        except RecursionError:
            # The standard decoder recurses per level: thousands of nested
            # brackets exhaust the stack before any of our checks could run.
            raise RequestRefusedError(
                400, "The JSON body is nested too deeply.", "BAD_REQUEST"
            ) from None
        if not isinstance(decoded, dict | list):
            raise RequestRefusedError(
                400, "The JSON body must be an object.", "BAD_REQUEST"
            )
        return decoded

    async def parse_http_body(
        self, request: AsyncHTTPRequestAdapter
    ) -> GraphQLRequestData | list[GraphQLRequestData]:
        content_type, _ = parse_content_type(request.content_type or "")
        if request.method == "POST" and content_type != "application/json":
            raise RequestRefusedError(400, _NOT_JSON, "BAD_REQUEST")
        parsed = await super().parse_http_body(request)
        for item in parsed if isinstance(parsed, list) else [parsed]:
            for value in (item.variables, item.extensions):
                if json_nesting_depth(value) > MAX_VARIABLE_DEPTH:
                    raise RequestRefusedError(
                        400,
                        f"Variables nest deeper than {MAX_VARIABLE_DEPTH} levels.",
                        "VARIABLES_TOO_DEEP",
                    )
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
            cause = exc.__cause__
            if (
                isinstance(cause, InvalidOperationTypeError)
                and cause.operation_type is OperationType.SUBSCRIPTION
            ):
                raise RequestRefusedError(
                    400,
                    "Subscriptions are served over WebSocket at this address "
                    "(graphql-transport-ws or graphql-ws), not over HTTP.",
                    "BAD_REQUEST",
                ) from None
            if isinstance(cause, InvalidOperationTypeError):
                # GET is safe by HTTP's rules: it may not change anything.
                raise RequestRefusedError(
                    405,
                    "Send mutations with POST: GET runs queries only.",
                    "METHOD_NOT_ALLOWED",
                    headers={"Allow": "POST"},
                ) from None
            if isinstance(exc.__cause__, MissingQueryError):
                raise RequestRefusedError(
                    400,
                    "The request has no `query`: send the GraphQL document, or "
                    "a persisted one's hash in `extensions.persistedQuery`.",
                    "BAD_REQUEST",
                ) from None
            raise

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
        state = request.scope.get("state", {})
        request_id = state.get("request_id", "-")
        log_fields = state.setdefault(LOG_STATE_KEY, {})
        data: GraphQLHTTPResponse = {"data": result.data}
        if result.extensions:
            data["extensions"] = result.extensions
        if not result.errors:
            log_fields.setdefault("outcome", "ok")
            return data
        formatted = [self._format_error(e, request_id) for e in result.errors]
        record_error_codes(
            str(code)
            for error in formatted
            if (code := (error.get("extensions") or {}).get("code")) is not None
        )
        errors: list[object] = list(formatted)
        data["errors"] = errors
        if any(is_unexpected(e) for e in result.errors):
            log_fields["outcome"] = "internal_error"
        elif any(outage(e) is not None for e in result.errors):
            log_fields["outcome"] = "unavailable"
        else:
            log_fields.setdefault("outcome", "graphql_errors")
        if any(isinstance(e, OperationTimeoutError) for e in result.errors):
            return data  # 503, set where the budget ran out
        if any(is_not_found(e) for e in result.errors):
            # HTTP 200, as Apollo Server answers: Apollo Client before 3.7.16
            # takes a 400 as "no persisted queries here" and stops using
            # them; urql and newer Apollo Clients retry with the document
            # after either.
            log_fields["outcome"] = "persisted_query_not_found"
            return data
        # A request the server could not execute at all (syntax, unknown field,
        # wrong argument or variable type) is the client's fault: 400, per the
        # GraphQL-over-HTTP spec's application/graphql-response+json rules.
        if result.data is None and all(e.path is None for e in result.errors):
            sub_response: Response | None = state.get("sub_response")
            if sub_response is not None:
                sub_response.status_code = 400
            log_fields["outcome"] = "invalid_request"
        return data

    @staticmethod
    def _format_error(error: GraphQLError, request_id: str) -> dict[str, Any]:
        if describe_for_client(error, request_id):
            return dict(error.formatted)
        formatted: dict[str, Any] = dict(error.formatted)
        if error.path is None:
            extensions = formatted.get("extensions") or {}
            # A value that does not fit its type is already `BAD_USER_INPUT`,
            # and a refusal that names its bound keeps its own code.
            formatted["extensions"] = {
                **extensions,
                "code": extensions.get("code", "GRAPHQL_VALIDATION_FAILED"),
                "requestId": request_id,
            }
        return formatted
