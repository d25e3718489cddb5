"""Connections that point up the schema's layers (`Worker.bookings`,
`Customer.bookings`): the nodes are built through the node registry."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from gigsta.domain.core import ClientError, ErrorCode
from gigsta.resolvers.bookings.queries import list_bookings
from gigsta.schema.core import nodes
from gigsta.schema.core.connections import Connection, connection_from_page

if TYPE_CHECKING:
    from beanie import PydanticObjectId

    from gigsta.domain.bookings.actions import BookingStatus
    from gigsta.schema.core.context import Info


async def bookings_connection(
    info: Info,
    *,
    first: int | None,
    after: str | None,
    status: BookingStatus | None,
    worker_id: PydanticObjectId | None = None,
    customer_id: PydanticObjectId | None = None,
) -> Connection[Any]:
    """A page of the bookings the viewer may see (optionally of one party)."""
    viewer = info.context.viewer
    if viewer is None:
        raise ClientError(ErrorCode.UNAUTHENTICATED, "Sign in to see bookings.")
    page = await list_bookings(
        viewer,
        first=first,
        after=after,
        status=status,
        worker_id=worker_id,
        customer_id=customer_id,
    )
    return connection_from_page(page, nodes.node_of)
