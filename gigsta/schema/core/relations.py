"""The bookings connections (`Query.bookings`, `Worker.bookings`,
`Customer.bookings`): the nodes are built through the node registry, since
accounts sit below bookings in the schema's layers.

A party's bookings on each item of a list (`workers { bookings }`) go through
one DataLoader keyed by viewer, party, owner and arguments, so a page of
parents costs one query for all their nested pages, not one each."""

from __future__ import annotations

import asyncio
from collections import defaultdict
from dataclasses import asdict, dataclass
from typing import TYPE_CHECKING, Annotated, Any

import strawberry
from strawberry.dataloader import DataLoader

from gigsta.resolvers.bookings.queries import (
    booking_page_request,
    list_bookings,
    list_party_bookings,
)
from gigsta.resolvers.core.pagination import Page, Paging
from gigsta.schema.core import nodes
from gigsta.schema.core.connections import (
    Connection,
    connection_field,
    connection_from_page,
)
from gigsta.schema.core.context import Info
from gigsta.schema.core.dataloaders import CustomerByIdLoader, WorkerByIdLoader
from gigsta.schema.core.enums import BookingStatus
from gigsta.schema.core.lookahead import selected
from gigsta.schema.core.turns import take_turn

if TYPE_CHECKING:
    from collections.abc import Sequence

    from beanie import PydanticObjectId

    from gigsta.domain.accounts import Viewer


@dataclass(frozen=True)
class PartyPageKey:
    """One party's page of bookings: whose, and the connection's arguments."""

    viewer: Viewer
    party: str  # `worker_id` or `customer_id`
    owner: PydanticObjectId
    arguments: tuple[Paging, BookingStatus | None]


async def _party_pages(keys: Sequence[PartyPageKey]) -> list[Page[Any]]:
    """One query for all the keys that differ only in their owner."""
    batches: defaultdict[tuple[Any, ...], list[PartyPageKey]] = defaultdict(list)
    for key in keys:
        batches[key.viewer, key.party, key.arguments].append(key)
    pages: dict[PartyPageKey, Page[Any]] = {}
    for (viewer, party, arguments), batch in batches.items():
        paging, status = arguments
        request = booking_page_request(**asdict(paging))
        owners = [key.owner for key in batch]
        found = await list_party_bookings(viewer, party, owners, request, status)
        pages.update(zip(batch, found, strict=True))
    return [pages[key] for key in keys]


StatusArgument = Annotated[
    BookingStatus | None,
    strawberry.argument(description="Only bookings in this status."),
]


# The parties a page of bookings loads ahead when its nodes select them.
_PARTIES = (
    ("customer", CustomerByIdLoader, "customer_id"),
    ("worker", WorkerByIdLoader, "worker_id"),
)


async def _load_parties(info: Info, page: Page[Any]) -> None:
    """Load the page's customers and workers its nodes select, one `$in`
    each (what their DataLoaders would send), before the nodes complete: each
    node's `customer` and `worker` then complete at once, without a
    coroutine and a task per node. A failed load is left in the loader, so
    each field fails where it did."""
    wanted = selected(info, "edges", "node")
    loads = [
        info.context.loader(loader).load_many([getattr(d, key) for d, _ in page.items])
        for field, loader, key in _PARTIES
        if field in wanted
    ]
    if loads:
        await asyncio.gather(*loads, return_exceptions=True)


class PartyBookingsLoader(DataLoader[PartyPageKey, Page[Any]]):
    """`Worker.bookings` and `Customer.bookings` of every parent in a list,
    batched by their arguments: one query however many parents."""

    def __init__(self) -> None:
        super().__init__(load_fn=_party_pages)


def bookings_field(node: Any, description: str, *, party: str | None = None) -> Any:
    """A `bookings(first, after, last, before, status)` field of
    `Connection[node]` (see `connection_field`); with `party` (`worker_id` or
    `customer_id`), only the bookings of the object's own document."""

    async def page(
        root: Any, info: Info, *, status: BookingStatus | None, **paging: Any
    ) -> Connection[Any]:
        viewer = info.context.signed_in("bookings")
        if party is None:
            found = await list_bookings(viewer, Paging(**paging), status=status)
            await _load_parties(info, found)
            return connection_from_page(found, nodes.node_of)
        # Checked here, so a bad cursor fails this field before any batching.
        booking_page_request(**paging)
        key = PartyPageKey(
            viewer=viewer,
            party=party,
            owner=root.doc.id,
            arguments=(Paging(**paging), status),
        )
        found = await info.context.loader(PartyBookingsLoader).load(key)
        # The loader fills every parent's list at once: complete them one per
        # loop iteration, so other requests are served in between.
        await take_turn()
        return connection_from_page(found, nodes.node_of)

    return connection_field(node, description, page, status=StatusArgument)
