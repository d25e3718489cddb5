"""Pages of documents ordered by `created_at` then `_id`, the order of every
list of things that happen (bookings, messages, reviews): one page of one
list, or the first page of many lists (one per parent) in one command, for
the DataLoaders of nested connections."""

from __future__ import annotations

from datetime import datetime
from typing import TYPE_CHECKING, Any, Protocol, TypeVar

from beanie import Document, PydanticObjectId

from gigsta.resolvers.core.pagination import (
    ListOrder,
    Page,
    PageRequest,
    Paging,
    find_page,
    key_then_id,
)

if TYPE_CHECKING:
    from collections.abc import Sequence


class Timed(Protocol):
    id: PydanticObjectId | None
    created_at: datetime


D = TypeVar("D", bound=Document)


def _created_at(value: object) -> datetime:
    created = datetime.fromisoformat(str(value))
    if created.tzinfo is None:
        raise ValueError(value)
    return created


def _values(doc: Timed) -> list[Any]:
    return [doc.created_at.isoformat(), str(doc.id)]


def time_order(kind: str, way: int) -> ListOrder[Any]:
    """The list `kind` oldest first (`way` 1) or newest first (-1); the id
    breaks ties between things made in the same instant."""
    return ListOrder(
        kind,
        [("created_at", way), ("_id", way)],
        values=_values,
        parse=key_then_id(_created_at),
    )


def request_for(
    kind: str,
    *,
    first: int | None,
    after: str | None,
    last: int | None,
    before: str | None,
) -> PageRequest:
    paging = Paging(first=first, after=after, last=last, before=before)
    return paging.request(time_order(kind, 1).decode)


async def read_page(
    model: type[D],
    query: dict[str, Any],
    *,
    kind: str,
    way: int,
    request: PageRequest,
) -> Page[D]:
    """One page of `model` matching `query`, in time order `way`."""
    order = time_order(kind, way)
    bounded = {"$and": [query, *request.bounds(order.keys)]}
    return await find_page(model, bounded, order, request)


async def first_pages(
    model: type[D],
    parent_field: str,
    parents: Sequence[PydanticObjectId],
    query: dict[str, Any],
    *,
    kind: str,
    way: int,
    size: int,
) -> list[Page[D]]:
    """The first page (of `size`) of each parent's list, in `parents` order:
    one aggregation for all of them, each list cut to `size + 1` in it."""
    pipeline: list[dict[str, Any]] = [
        {"$match": {"$and": [query, {parent_field: {"$in": list(set(parents))}}]}},
        {"$sort": {"created_at": way, "_id": way}},
        {"$group": {"_id": f"${parent_field}", "docs": {"$push": "$$ROOT"}}},
        {"$project": {"docs": {"$slice": ["$docs", size + 1]}}},
    ]
    cursor = await model.get_pymongo_collection().aggregate(pipeline)
    grouped = {row["_id"]: row["docs"] async for row in cursor}
    request = PageRequest(size=size)
    order = time_order(kind, way)
    return [
        request.page(
            [model.model_validate(raw) for raw in grouped.get(parent, [])],
            order.cursor,
        )
        for parent in parents
    ]
