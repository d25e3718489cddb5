"""The bookings connections (`Query.bookings`, `Worker.bookings`,
`Customer.bookings`): the nodes are built through the node registry, since
accounts sit below bookings in the schema's layers."""

from __future__ import annotations

from typing import Annotated, Any

import strawberry

from gigsta.resolvers.bookings.queries import list_bookings
from gigsta.resolvers.core.pagination import Paging
from gigsta.schema.core import nodes
from gigsta.schema.core.connections import (
    PAGING_ARGUMENTS,
    Connection,
    connection_from_page,
)
from gigsta.schema.core.context import Info
from gigsta.schema.core.enums import BookingStatus


def bookings_field(node: Any, description: str, *, party: str | None = None) -> Any:
    """A `bookings(first, after, last, before, status)` field of
    `Connection[node]`; with `party` (`worker_id` or `customer_id`), only the
    bookings of the object's own document. Nullable, like every list, so that
    a bad cursor fails this field alone."""

    async def resolve(
        root: Any,
        info: Info,
        *,
        first: int | None = None,
        after: str | None = None,
        last: int | None = None,
        before: str | None = None,
        status: BookingStatus | None = None,
    ) -> Connection[Any]:
        owner = {} if party is None else {party: root.doc.id}
        page = await list_bookings(
            info.context.signed_in("bookings"),
            Paging(first, after, last, before),
            status=status,
            **owner,
        )
        return connection_from_page(page, nodes.node_of)

    # Strawberry reads argument and return types from the annotations.
    resolve.__annotations__ = {
        "root": Any,
        "info": Info,
        **PAGING_ARGUMENTS,
        "status": Annotated[
            BookingStatus | None,
            strawberry.argument(description="Only bookings in this status."),
        ],
        "return": Connection[node] | None,
    }
    return strawberry.field(resolver=resolve, description=description)
