"""The GraphQL HTTP endpoint: authentication, error masking and status codes."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from starlette.requests import Request
from starlette.responses import JSONResponse
from strawberry.asgi import GraphQL

from gigsta.domain.core import ClientError
from gigsta.observability import LOG_STATE_KEY
from gigsta.resolvers.accounts.credentials import InvalidTokenError
from gigsta.resolvers.accounts.sessions import Session, authenticate
from gigsta.schema import is_unexpected
from gigsta.schema.client_address import client_address
from gigsta.schema.core.context import Context
from gigsta.schema.core.dataloaders import UserByIdLoader

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
                session = await self._authenticate(request)
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
            scope.setdefault("state", {})["session"] = session
        await super().__call__(scope, receive, send)

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
        errors: list[object] = [
            self._format_error(e, request_id) for e in result.errors
        ]
        data["errors"] = errors
        if any(is_unexpected(e) for e in result.errors):
            log_fields["outcome"] = "internal_error"
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
        if is_unexpected(error):
            formatted["message"] = f"Internal error. Request id: {request_id}."
            formatted["extensions"] = {"code": "INTERNAL", "requestId": request_id}
        elif isinstance(error.original_error, ClientError):
            formatted["extensions"] = {
                **(formatted.get("extensions") or {}),
                "code": error.original_error.code.value,
            }
        elif error.path is None:
            # A value that does not fit its type is already `BAD_USER_INPUT`.
            extensions = formatted.get("extensions") or {}
            formatted["extensions"] = {
                **extensions,
                "code": extensions.get("code", "GRAPHQL_VALIDATION_FAILED"),
            }
        return formatted
