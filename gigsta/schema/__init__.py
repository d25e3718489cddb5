"""The one Strawberry schema. Imported only by the app factory."""

from __future__ import annotations

import logging
from typing import TYPE_CHECKING

import strawberry
from graphql import GraphQLError
from strawberry.extensions import DisableIntrospection, SchemaExtension
from strawberry.tools import merge_types

from gigsta.domain.core import ClientError
from gigsta.schema.accounts.mutations import AccountsMutation
from gigsta.schema.accounts.queries import AccountsQuery
from gigsta.schema.bookings.mutations import BookingsMutation
from gigsta.schema.bookings.queries import BookingsQuery
from gigsta.schema.core.document_limits import DocumentLimitsExtension
from gigsta.schema.files.mutations import FilesMutation
from gigsta.schema.payments.mutations import PaymentsMutation
from gigsta.schema.payments.queries import PaymentsQuery
from gigsta.schema.places.queries import PlacesQuery

if TYPE_CHECKING:
    from collections.abc import Iterator

    from strawberry.types import ExecutionContext

log = logging.getLogger("gigsta.graphql")


def is_unexpected(error: GraphQLError) -> bool:
    """Bugs and outages, as opposed to client mistakes and expected failures."""
    original = error.original_error
    return original is not None and not isinstance(original, ClientError | GraphQLError)


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
            if is_unexpected(error):
                log.error(
                    "unexpected error in %s (request %s)",
                    ".".join(map(str, error.path or [])) or "operation",
                    request_id,
                    exc_info=error.original_error,
                )


# Each domain contributes its own Query/Mutation classes; they are merged into
# the one root type of each kind here.
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


def build_schema(*, introspection: bool = True) -> strawberry.Schema:
    """The schema; production turns `introspection` off."""
    extensions: list[type[SchemaExtension]] = [
        OperationLogFields,
        # A public API bounds what one document may ask for (nested connections
        # and alias fan-out cost database work; fragment doubling costs CPU
        # before any resolver runs), in time linear in the document.
        DocumentLimitsExtension,
    ]
    if not introspection:
        extensions.append(DisableIntrospection)
    return GigstaSchema(
        query=merge_types("Query", QUERY_TYPES),
        mutation=merge_types("Mutation", MUTATION_TYPES),
        extensions=extensions,
    )


__all__ = ["build_schema", "is_unexpected"]
