"""The one Strawberry schema. Imported only by the app factory."""

from __future__ import annotations

import logging
from typing import TYPE_CHECKING, Any

import strawberry
from graphql import GraphQLError, MiddlewareManager, ValuesOfCorrectTypeRule
from strawberry.extensions import DisableIntrospection, SchemaExtension
from strawberry.schema.schema import DEFAULT_ALLOWED_OPERATION_TYPES
from strawberry.tools import merge_types
from strawberry.types.base import get_object_definition
from strawberry.types.graphql import OperationType

from gigsta.database import is_unavailable
from gigsta.domain.core import ClientError, ErrorCode
from gigsta.schema.accounts.mutations import AccountsMutation
from gigsta.schema.accounts.notifications import NotificationsMutation
from gigsta.schema.accounts.queries import AccountsQuery
from gigsta.schema.availability.mutations import AvailabilityMutation
from gigsta.schema.bookings.mutations import BookingsMutation
from gigsta.schema.bookings.queries import BookingsQuery
from gigsta.schema.bookings.subscriptions import BookingsSubscription
from gigsta.schema.core import direct_resolvers, executor
from gigsta.schema.core.document_extension import DocumentLimitsExtension
from gigsta.schema.core.nodes import NodesQuery
from gigsta.schema.core.persisted_queries import PersistedQueries
from gigsta.schema.core.query_cost import QueryCostExtension
from gigsta.schema.files.mutations import FilesMutation
from gigsta.schema.messages.mutations import MessagesMutation
from gigsta.schema.partners.mutations import PartnersMutation
from gigsta.schema.partners.queries import PartnersQuery
from gigsta.schema.partners.scopes import ScopeExtension
from gigsta.schema.partners.webhooks import WebhooksMutation, WebhooksQuery
from gigsta.schema.payments.mutations import PaymentsMutation
from gigsta.schema.payments.queries import PaymentsQuery
from gigsta.schema.places.queries import PlacesQuery
from gigsta.schema.reviews.mutations import ReviewsMutation

if TYPE_CHECKING:
    from collections.abc import Iterable, Iterator

    from strawberry.types import ExecutionContext, ExecutionResult

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


BAD_USER_INPUT = "BAD_USER_INPUT"


def is_unexpected(error: GraphQLError) -> bool:
    """Bugs, as opposed to client mistakes, expected failures and outages.

    An error outside any field (no path) is about the request itself: a
    value the client sent that a scalar could not read is the client's.
    """
    original = error.original_error
    return (
        original is not None
        and error.path is not None
        and not isinstance(original, ClientError | GraphQLError)
        and outage(error) is None
    )


def describe_for_client(error: GraphQLError, request_id: str) -> bool:
    """Give an outage, a bug or an expected failure the message and
    `extensions.code` the client sees (a bug masked); False for other errors.

    Over HTTP the view formats errors with it; over WebSocket the protocol
    handlers send `error.formatted`, so `process_errors` applies it first.
    """
    code = outage(error)
    if code is not None:
        error.message = OUTAGE_MESSAGES[code]
        error.extensions = {"code": code.value, "requestId": request_id}
    elif is_unexpected(error):
        error.message = f"Internal error. Request id: {request_id}."
        error.extensions = {"code": "INTERNAL", "requestId": request_id}
    elif isinstance(error.original_error, ClientError):
        code = error.original_error.code
        error.extensions = {**(error.extensions or {}), "code": code.value}
    else:
        return False
    return True


def _mark_bad_input(error: GraphQLError) -> None:
    error.extensions = {**(error.extensions or {}), "code": BAD_USER_INPUT}


class _CodedValuesOfCorrectTypeRule(ValuesOfCorrectTypeRule):
    """graphql-core's check of literal argument values, with its errors coded
    `BAD_USER_INPUT` (like a variable's value that cannot be coerced)."""

    def report_error(self, error: GraphQLError) -> None:
        _mark_bad_input(error)
        super().report_error(error)


class CodedInputErrors(SchemaExtension):
    """A value that does not fit its type (an Int out of 32-bit range, a
    malformed DateTime or ID, a missing required input field), as a literal
    or in the variables, is `BAD_USER_INPUT`; other documents the server
    cannot run stay `GRAPHQL_VALIDATION_FAILED`."""

    def on_validate(self) -> Iterator[None]:
        context = self.execution_context
        context.validation_rules = tuple(
            _CodedValuesOfCorrectTypeRule if rule is ValuesOfCorrectTypeRule else rule
            for rule in context.validation_rules
        )
        yield

    def on_execute(self) -> Iterator[None]:
        yield
        result = self.execution_context.result
        # Before any field runs, execution fails only on the variables' values.
        for error in getattr(result, "errors", None) or []:
            if error.path is None and not (error.extensions or {}).get("code"):
                _mark_bad_input(error)


class OperationLogFields(SchemaExtension):
    """Records the operation name for the request's log line."""

    def on_operation(self) -> Iterator[None]:
        yield
        context = self.execution_context.context
        fields = getattr(context, "log_fields", None)
        if isinstance(fields, dict):
            fields["operation"] = self.execution_context.operation_name


class GigstaSchema(strawberry.Schema):
    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("execution_context_class", executor.ExecutionContext)
        super().__init__(*args, **kwargs)
        direct_resolvers.install(self._schema, self.config.info_class)

    def _get_middleware_manager(
        self, extensions: list[SchemaExtension]
    ) -> MiddlewareManager:
        """No manager when no extension resolves fields: graphql-core then
        calls each resolver without asking a manager to wrap it first."""
        if not any(extension._implements_resolve() for extension in extensions):
            return None  # type: ignore[return-value]
        return super()._get_middleware_manager(extensions)

    async def execute(  # noqa: PLR0917 - the base class's signature
        self,
        query: str | None,
        variable_values: dict[str, Any] | None = None,
        context_value: Any | None = None,
        root_value: Any | None = None,
        operation_name: str | None = None,
        allowed_operation_types: Iterable[OperationType] | None = None,
        operation_extensions: dict[str, Any] | None = None,
    ) -> ExecutionResult:
        """Queries and mutations. A subscription cannot run here (it would
        resolve to a stream, not a value): it is refused as an operation type
        this transport does not take. Subscriptions go through `subscribe`,
        over WebSocket."""
        allowed = set(allowed_operation_types or DEFAULT_ALLOWED_OPERATION_TYPES)
        return await super().execute(
            query,
            variable_values,
            context_value,
            root_value,
            operation_name,
            allowed - {OperationType.SUBSCRIPTION},
            operation_extensions,
        )

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
            describe_for_client(error, request_id)


# Each domain contributes its own Query/Mutation classes; they are merged into
# the one root type of each kind here.
QUERY_TYPES: tuple[type, ...] = (
    NodesQuery,
    AccountsQuery,
    BookingsQuery,
    PlacesQuery,
    PaymentsQuery,
    PartnersQuery,
    WebhooksQuery,
)
MUTATION_TYPES: tuple[type, ...] = (
    AccountsMutation,
    AvailabilityMutation,
    NotificationsMutation,
    BookingsMutation,
    FilesMutation,
    PaymentsMutation,
    MessagesMutation,
    ReviewsMutation,
    PartnersMutation,
    WebhooksMutation,
)
SUBSCRIPTION_TYPES: tuple[type, ...] = (BookingsSubscription,)


def _root(name: str, types: tuple[type, ...], description: str) -> type:
    """One root type from each domain's part of it (`merge_types` warns when
    two domains define the same field)."""
    merged = merge_types(name, types)
    get_object_definition(merged, strict=True).description = description
    return merged


def schema_extensions(*, introspection: bool = True) -> list[type[SchemaExtension]]:
    """What runs around every operation, in order."""
    extensions: list[type[SchemaExtension]] = [
        # First: a hash-only request gets its document before anything reads it.
        PersistedQueries,
        OperationLogFields,
        # Before the limits: it swaps a validation rule they then run.
        CodedInputErrors,
        # A public API bounds what one document may ask for (nested connections
        # and alias fan-out cost database work; fragment doubling costs CPU
        # before any resolver runs), in time linear in the document.
        DocumentLimitsExtension,
        # After validation, in this order: an API key's scopes, then the
        # operation's cost against its maximum and the caller's bucket.
        ScopeExtension,
        QueryCostExtension,
    ]
    if not introspection:
        extensions.append(DisableIntrospection)
    return extensions


def build_schema(*, introspection: bool = True) -> strawberry.Schema:
    """The schema; production turns `introspection` off."""
    return GigstaSchema(
        query=_root(
            "Query",
            QUERY_TYPES,
            "What can be read. Anyone may read the service catalogue, workers, "
            "address suggestions and price quotes; bookings and customers need "
            "`Authorization: Bearer <token>` (from `logIn` or `signUp`). What "
            "the viewer may not see reads as null.",
        ),
        mutation=_root(
            "Mutation",
            MUTATION_TYPES,
            "What can be changed. Each mutation returns a payload whose `errors` "
            "list the expected failures (empty on success); GraphQL errors mean "
            "the request itself failed.",
        ),
        subscription=_root(
            "Subscription",
            SUBSCRIPTION_TYPES,
            "Live updates over WebSocket at the same `/graphql` address "
            "(`graphql-transport-ws`, or the legacy `graphql-ws`), with "
            '`{"Authorization": "Bearer <token>"}` as the `connection_init` '
            "payload. Every instance sees every change.",
        ),
        extensions=schema_extensions(introspection=introspection),
    )


__all__ = [
    "OUTAGE_MESSAGES",
    "GigstaSchema",
    "build_schema",
    "describe_for_client",
    "is_unexpected",
    "outage",
    "schema_extensions",
]
