"""What a GraphQL result becomes on the wire: masked errors with codes and the
request id, the HTTP status, and the outcome the request log records."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from graphql import GraphQLError

from gigsta.observability import LOG_STATE_KEY, record_error_codes
from gigsta.schema import describe_for_client, is_unexpected, outage
from gigsta.schema.core.persisted_queries import is_not_found

if TYPE_CHECKING:
    from starlette.responses import Response
    from strawberry.http import GraphQLHTTPResponse
    from strawberry.types import ExecutionResult


# Request-level refusals with a status of their own (else 400).
_REFUSAL_STATUS = {"INSUFFICIENT_SCOPE": 403, "THROTTLED": 429}


class OperationTimeoutError(GraphQLError):
    """The operation outlived its time budget and was cancelled."""

    def __init__(self, seconds: float, request_id: str) -> None:
        super().__init__(
            f"The request took longer than {seconds:g} s and was stopped. "
            "A change it was making may still complete: reload before retrying. "
            f"Request id: {request_id}.",
            extensions={"code": "TIMEOUT", "requestId": request_id},
        )


def http_result(result: ExecutionResult, state: dict[str, Any]) -> GraphQLHTTPResponse:
    """The JSON answer for `result`; sets the request's outcome in its log
    fields and, for a request that could not run at all, HTTP 400 (403 for
    a missing scope, 429 when throttled)."""
    request_id = state.get("request_id", "-")
    log_fields = state.setdefault(LOG_STATE_KEY, {})
    data: GraphQLHTTPResponse = {"data": result.data}
    if result.extensions:
        data["extensions"] = result.extensions
    if not result.errors:
        log_fields.setdefault("outcome", "ok")
        return data
    formatted = [format_error(e, request_id) for e in result.errors]
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
            code = (result.errors[0].extensions or {}).get("code")
            sub_response.status_code = _REFUSAL_STATUS.get(str(code), 400)
        log_fields["outcome"] = "invalid_request"
    return data


def format_error(error: GraphQLError, request_id: str) -> dict[str, Any]:
    """The error as the client sees it: outages and bugs masked (with the
    request id), every refusal with its code."""
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
