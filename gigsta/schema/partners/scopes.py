"""What an API key's scopes let it ask for: one table, checked once per
request before execution, for every field of the document.

`ROOT_SCOPES` names each root field an API key may use and the scope it
needs (None: any key); a root field missing from it is closed to keys (a test
fails when a new root field is not in it, so nothing opens by accident).
`TYPE_SCOPES` guards objects however they are reached (`node`, `nodes`,
`Worker.bookings`, a mutation's payload): selecting any field of such a type
needs its scope. A person's token (JWT) is not limited by scopes. Which
bookings a key sees is the booking rules' business: a partner acts as its own
customer profile, so it sees the bookings it requested.
"""

from __future__ import annotations

from types import MappingProxyType
from typing import TYPE_CHECKING, Any

from graphql import FieldNode, TypeInfo, TypeInfoVisitor, Visitor, get_named_type, visit
from strawberry.extensions import SchemaExtension

from gigsta.domain.partners import Scope
from gigsta.schema.core.errors import CodedGraphQLError

if TYPE_CHECKING:
    from collections.abc import AsyncIterator, Mapping

    from graphql import DocumentNode, GraphQLSchema

    from gigsta.domain.partners import PartnerGrant

INSUFFICIENT_SCOPE = "INSUFFICIENT_SCOPE"

ROOT_SCOPES: Mapping[str, Scope | None] = MappingProxyType(
    {
        "Query.node": None,  # what it returns is guarded by TYPE_SCOPES
        "Query.nodes": None,
        "Query.viewer": None,
        "Query.services": None,
        "Query.partner": None,  # its own partner only
        "Query.worker": Scope.WORKERS_READ,
        "Query.workers": Scope.WORKERS_READ,
        "Query.booking": Scope.BOOKINGS_READ,
        "Query.bookings": Scope.BOOKINGS_READ,
        "Query.bookingEventsCursor": Scope.BOOKINGS_READ,
        "Query.priceQuote": Scope.BOOKINGS_WRITE,
        "Query.addressSuggestions": Scope.BOOKINGS_WRITE,
        "Mutation.requestBooking": Scope.BOOKINGS_WRITE,
        "Mutation.performBookingAction": Scope.BOOKINGS_WRITE,
        # A partner talks to, and reviews, the workers it books.
        "Mutation.sendBookingMessage": Scope.BOOKINGS_WRITE,
        "Mutation.markBookingMessagesRead": Scope.BOOKINGS_WRITE,
        "Mutation.submitBookingReview": Scope.BOOKINGS_WRITE,
        "Query.webhookEndpoints": Scope.WEBHOOKS_MANAGE,
        "Query.webhookDeliveries": Scope.WEBHOOKS_MANAGE,
        "Mutation.createWebhookEndpoint": Scope.WEBHOOKS_MANAGE,
        "Mutation.disableWebhookEndpoint": Scope.WEBHOOKS_MANAGE,
        "Mutation.enableWebhookEndpoint": Scope.WEBHOOKS_MANAGE,
        "Mutation.deleteWebhookEndpoint": Scope.WEBHOOKS_MANAGE,
        "Mutation.redeliverWebhook": Scope.WEBHOOKS_MANAGE,
    }
)
TYPE_SCOPES: Mapping[str, Scope] = MappingProxyType(
    {
        "Booking": Scope.BOOKINGS_READ,
        "BookingMessage": Scope.BOOKINGS_READ,
        "Worker": Scope.WORKERS_READ,
        "Review": Scope.WORKERS_READ,
        "WebhookEndpoint": Scope.WEBHOOKS_MANAGE,
        "WebhookDelivery": Scope.WEBHOOKS_MANAGE,
    }
)


class InsufficientScopeError(CodedGraphQLError):
    def __init__(self, coordinate: str, scope: Scope | None) -> None:
        if scope is None:
            message = f"API keys cannot use `{coordinate}`."
        else:
            message = f"`{coordinate}` needs an API key with the `{scope}` scope."
        super().__init__(message, INSUFFICIENT_SCOPE)
        self.extensions = {
            **(self.extensions or {}),
            "field": coordinate,
            "requiredScope": scope.value if scope else None,
        }


class _ScopeVisitor(Visitor):
    def __init__(self, type_info: TypeInfo, scopes: frozenset[Scope]) -> None:
        super().__init__()
        self.type_info = type_info
        self.scopes = scopes
        self.refusal: InsufficientScopeError | None = None

    def enter_field(self, node: FieldNode, *_: Any) -> Any:
        parent = self.type_info.get_parent_type()
        if parent is None or node.name.value.startswith("__") or self.refusal:
            return None
        coordinate = f"{parent.name}.{node.name.value}"
        if parent.name in {"Query", "Mutation", "Subscription"}:
            if coordinate not in ROOT_SCOPES:
                self.refusal = InsufficientScopeError(coordinate, None)
                return None
            needed = ROOT_SCOPES[coordinate]
        else:
            needed = TYPE_SCOPES.get(get_named_type(parent).name)
        if needed is not None and needed not in self.scopes:
            self.refusal = InsufficientScopeError(coordinate, needed)
        return None


def check_scopes(
    schema: GraphQLSchema, document: DocumentNode, grant: PartnerGrant
) -> InsufficientScopeError | None:
    """The first field of `document` the key's scopes do not allow, if any."""
    type_info = TypeInfo(schema)
    visitor = _ScopeVisitor(type_info, grant.scopes)
    visit(document, TypeInfoVisitor(type_info, visitor))
    return visitor.refusal


class ScopeExtension(SchemaExtension):
    """Refuses (`INSUFFICIENT_SCOPE`, HTTP 403) a document an API key's scopes
    do not cover, after validation and before it costs anything."""

    async def on_validate(self) -> AsyncIterator[None]:
        execution = self.execution_context
        viewer = getattr(execution.context, "viewer", None)
        grant = getattr(viewer, "partner", None)
        document = execution.graphql_document
        valid = document is not None and not execution.pre_execution_errors
        if grant is not None and document is not None and valid:
            refusal = check_scopes(execution.schema._schema, document, grant)
            if refusal is not None:
                execution.pre_execution_errors = [refusal]
        yield
