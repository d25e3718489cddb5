"""The one Strawberry schema. Imported only by the app factory."""

from __future__ import annotations

import logging
from typing import TYPE_CHECKING

import strawberry
from graphql import GraphQLError
from strawberry.extensions import (
    MaxAliasesLimiter,
    MaxTokensLimiter,
    QueryDepthLimiter,
    SchemaExtension,
)
from strawberry.tools import merge_types

from gigsta.database import is_unavailable
from gigsta.domain.core import ClientError, ErrorCode
from gigsta.schema.accounts.mutations import AccountsMutation
from gigsta.schema.accounts.queries import AccountsQuery
from gigsta.schema.bookings.mutations import BookingsMutation
from gigsta.schema.bookings.queries import BookingsQuery
from gigsta.schema.files.mutations import FilesMutation
from gigsta.schema.payments.mutations import PaymentsMutation
from gigsta.schema.payments.queries import PaymentsQuery
from gigsta.schema.places.queries import PlacesQuery

if TYPE_CHECKING:
    from collections.abc import Iterator

    from strawberry.types import ExecutionContext

log = logging.getLogger("gigsta.graphql")


def outage(error: GraphQLError) -> ErrorCode | None:
    """The code for an error that says a dependency is down (the client should
    try again later), or None. Outages are neither bugs nor client mistakes."""
    original = error.original_error
    if original is not None and is_unavailable(original):
        return ErrorCode.DATABASE_UNAVAILABLE
    return None


OUTAGE_MESSAGES = {
    ErrorCode.DATABASE_UNAVAILABLE: "The service is briefly unavailable. "
    "Please try again shortly.",
}


def is_unexpected(error: GraphQLError) -> bool:
    """Bugs, as opposed to client mistakes, expected failures and outages."""
    original = error.original_error
    return (
        original is not None
        and not isinstance(original, ClientError | GraphQLError)
        and outage(error) is None
    )


class OperationLogFields(SchemaExtension):
    """Records the operation name for the request's log line."""

    def on_operation(self) -> Iterator[None]:
        yield
        context = self.execution_context.context
        fields = getattr(context, "log_fields", None)
        if isinstance(fields, dict):
            fields["operation"] = self.execution_context.operation_name


class GigstaSchema(strawberry.Schema):
    def process_errors(
        self,
        errors: list[GraphQLError],
        execution_context: ExecutionContext | None = None,
    ) -> None:
        request_id = "-"
        if execution_context is not None:
            request_id = getattr(execution_context.context, "request_id", "-")
        for error in errors:
            code = outage(error)
            if code is not None:
                # Expected while a dependency restarts: one line, no traceback.
                log.warning(
                    "%s in %s (request %s): %s",
                    code.value,
                    ".".join(map(str, error.path or [])) or "operation",
                    request_id,
                    type(error.original_error).__name__,
                )
            elif is_unexpected(error):
                log.error(
                    "unexpected error in %s (request %s)",
                    ".".join(map(str, error.path or [])) or "operation",
                    request_id,
                    exc_info=error.original_error,
                )


# Each domain contributes its own Query/Mutation classes; they are merged into
# the one root type of each kind here.
MAX_QUERY_DEPTH = 12
MAX_ALIASES = 30
MAX_TOKENS = 5000

QUERY_TYPES: tuple[type, ...] = (
    AccountsQuery,
    BookingsQuery,
    PlacesQuery,
    PaymentsQuery,
)
MUTATION_TYPES: tuple[type, ...] = (
    AccountsMutation,
    BookingsMutation,
    FilesMutation,
    PaymentsMutation,
)


def build_schema() -> strawberry.Schema:
    return GigstaSchema(
        query=merge_types("Query", QUERY_TYPES),
        mutation=merge_types("Mutation", MUTATION_TYPES),
        extensions=[
            OperationLogFields,
            # A public API bounds what one document may ask for: nested
            # connections (worker -> bookings -> worker -> ...) and alias fan-out
            # would otherwise let one request cost unbounded database work.
            lambda: QueryDepthLimiter(max_depth=MAX_QUERY_DEPTH),
            lambda: MaxAliasesLimiter(max_alias_count=MAX_ALIASES),
            lambda: MaxTokensLimiter(max_token_count=MAX_TOKENS),
        ],
    )


__all__ = ["OUTAGE_MESSAGES", "build_schema", "is_unexpected", "outage"]
