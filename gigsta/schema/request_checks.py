"""Requests refused before any GraphQL work, and the checks that refuse them.

HTTP 400 `BAD_REQUEST`: a body that is not JSON (or not UTF-8, or nested too
deeply to parse), a POST that is not `application/json`, no `query` (nor a
persisted query's hash), a GET parameter that is not JSON-encoded. Variables
nested deeper than `MAX_VARIABLE_DEPTH` get 400 `VARIABLES_TOO_DEEP`; a
mutation over GET gets 405 `METHOD_NOT_ALLOWED` with `Allow: POST`.
"""

from __future__ import annotations

import json
from typing import TYPE_CHECKING, Any

from cross_web import HTTPException
from strawberry.exceptions import MissingQueryError
from strawberry.schema.exceptions import InvalidOperationTypeError
from strawberry.types.graphql import OperationType

if TYPE_CHECKING:
    from strawberry.http import GraphQLRequestData
    from strawberry.http.types import QueryParams

# Our inputs nest a few levels (an input object holding a list of objects);
# anything much deeper is not a request for this API.
MAX_VARIABLE_DEPTH = 32

NOT_JSON = (
    "Send the operation as a JSON object with `Content-Type: application/json`, "
    "or as a GET with a `query` parameter."
)


class RequestRefusedError(HTTPException):
    """A request refused before any GraphQL work, with its error code."""

    def __init__(
        self,
        status_code: int,
        reason: str,
        code: str = "BAD_REQUEST",
        headers: dict[str, str] | None = None,
    ) -> None:
        super().__init__(status_code, reason)
        self.code = code
        self.headers = headers


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


def decode_query_params(params: QueryParams) -> dict[str, Any]:
    """GET's parameters; `variables` and `extensions` are JSON-encoded (their
    types are checked with the POST body's)."""
    parsed: dict[str, Any] = dict(params)
    for name in ("variables", "extensions"):
        if parsed.get(name):
            try:
                parsed[name] = json.loads(parsed[name])
            except (ValueError, RecursionError):
                raise RequestRefusedError(
                    400, f"The `{name}` parameter must be JSON-encoded."
                ) from None
    return parsed


def check_body(decoded: object) -> object:
    """The decoded JSON body, if it is an object (or a list, refused later as
    a batch)."""
    if not isinstance(decoded, dict | list):
        raise RequestRefusedError(400, "The JSON body must be an object.")
    return decoded


def check_nesting(parsed: GraphQLRequestData | list[GraphQLRequestData]) -> None:
    """Refuse variables or extensions nested deeper than `MAX_VARIABLE_DEPTH`."""
    for item in parsed if isinstance(parsed, list) else [parsed]:
        for value in (item.variables, item.extensions):
            if json_nesting_depth(value) > MAX_VARIABLE_DEPTH:
                raise RequestRefusedError(
                    400,
                    f"Variables nest deeper than {MAX_VARIABLE_DEPTH} levels.",
                    "VARIABLES_TOO_DEEP",
                )


def refusal_for(exc: HTTPException) -> RequestRefusedError | None:
    """Our coded refusal for Strawberry's own: a mutation over GET, or no
    `query`, a subscription over HTTP (None for any other)."""
    cause = exc.__cause__
    if (
        isinstance(cause, InvalidOperationTypeError)
        and cause.operation_type is OperationType.SUBSCRIPTION
    ):
        return RequestRefusedError(
            400,
            "Subscriptions are served over WebSocket at this address "
            "(graphql-transport-ws or graphql-ws), not over HTTP.",
            "BAD_REQUEST",
        )
    if isinstance(cause, InvalidOperationTypeError):
        # GET is safe by HTTP's rules: it may not change anything.
        return RequestRefusedError(
            405,
            "Send mutations with POST: GET runs queries only.",
            "METHOD_NOT_ALLOWED",
            headers={"Allow": "POST"},
        )
    if isinstance(exc.__cause__, MissingQueryError):
        return RequestRefusedError(
            400,
            "The request has no `query`: send the GraphQL document, or "
            "a persisted one's hash in `extensions.persistedQuery`.",
        )
    return None
