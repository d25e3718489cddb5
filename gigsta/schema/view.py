"""The GraphQL HTTP endpoint: authentication, error masking and status codes."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from starlette.requests import Request
from starlette.responses import JSONResponse
from strawberry.asgi import GraphQL

from gigsta.domain.accounts import Viewer
from gigsta.domain.core import ClientError
from gigsta.observability import LOG_STATE_KEY
from gigsta.resolvers.accounts.credentials import InvalidTokenError, read_token
from gigsta.schema import OUTAGE_MESSAGES, is_unexpected, outage
from gigsta.schema.core.context import Context

if TYPE_CHECKING:
    from graphql import GraphQLError
    from starlette.responses import Response
    from starlette.types import Receive, Scope, Send
    from strawberry.http import GraphQLHTTPResponse
    from strawberry.types import ExecutionResult

    from gigsta.runtime import Runtime


def _error_json(message: str, code: str, request_id: str) -> dict[str, Any]:
    return {
        "errors": [
            {
                "message": message,
                "extensions": {"code": code, "requestId": request_id},
            }
        ]
    }


class GigstaGraphQL(GraphQL[Context, None]):
    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "http":
            request = Request(scope, receive)
            try:
                viewer = self._authenticate(request)
            except InvalidTokenError as exc:
                state = scope.get("state", {})
                state.get(LOG_STATE_KEY, {})["outcome"] = "unauthenticated"
                response = JSONResponse(
                    _error_json(
                        str(exc), "UNAUTHENTICATED", state.get("request_id", "-")
                    ),
                    status_code=401,
                    headers={"WWW-Authenticate": 'Bearer error="invalid_token"'},
                )
                await response(scope, receive, send)
                return
            scope.setdefault("state", {})["viewer"] = viewer
        await super().__call__(scope, receive, send)

    @staticmethod
    def _authenticate(request: Request) -> Viewer | None:
        header = request.headers.get("authorization")
        if header is None:
            return None
        scheme, _, token = header.partition(" ")
        if scheme.lower() != "bearer" or not token.strip():
            raise InvalidTokenError("Use `Authorization: Bearer <token>`.")
        runtime: Runtime = request.app.state.runtime
        return read_token(
            token.strip(),
            secret=runtime.settings.require_jwt_secret(),
            now=runtime.clock(),
        )

    async def get_context(self, request: Any, response: Any) -> Context:
        runtime: Runtime = request.app.state.runtime
        state = request.scope.setdefault("state", {})
        state["sub_response"] = response
        return Context(
            request=request,
            response=response,
            runtime=runtime,
            request_id=state.get("request_id", "-"),
            viewer=state.get("viewer"),
            now=runtime.clock(),
            log_fields=state.setdefault(LOG_STATE_KEY, {}),
        )

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
        errors: list[object] = [
            self._format_error(e, request_id) for e in result.errors
        ]
        data["errors"] = errors
        if any(is_unexpected(e) for e in result.errors):
            log_fields["outcome"] = "internal_error"
        elif any(outage(e) is not None for e in result.errors):
            log_fields["outcome"] = "unavailable"
        else:
            log_fields.setdefault("outcome", "graphql_errors")
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
        formatted: dict[str, Any] = dict(error.formatted)
        code = outage(error)
        if code is not None:
            formatted["message"] = OUTAGE_MESSAGES[code]
            formatted["extensions"] = {"code": code.value, "requestId": request_id}
        elif is_unexpected(error):
            formatted["message"] = f"Internal error. Request id: {request_id}."
            formatted["extensions"] = {"code": "INTERNAL", "requestId": request_id}
        elif isinstance(error.original_error, ClientError):
            formatted["extensions"] = {
                **(formatted.get("extensions") or {}),
                "code": error.original_error.code.value,
            }
        elif error.path is None:
            formatted["extensions"] = {
                **(formatted.get("extensions") or {}),
                "code": "GRAPHQL_VALIDATION_FAILED",
            }
        return formatted
