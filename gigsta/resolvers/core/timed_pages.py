"""Pages of documents ordered by `created_at` then `_id`, the order of every
list of things that happen (bookings, messages, reviews): one page of one
list, or the first page of many lists (one per parent) in one command, for
the DataLoaders of nested connections."""

from __future__ import annotations

from datetime import datetime
from typing import TYPE_CHECKING, Any, Protocol, TypeVar

from beanie import Document, PydanticObjectId

from gigsta.resolvers.core.ids import parse_object_id
from gigsta.resolvers.core.pagination import (
    InvalidCursorError,
    Page,
    PageRequest,
    SortKey,
    decode_cursor,
    encode_cursor,
    page_request,
)

if TYPE_CHECKING:
    from collections.abc import Callable, Sequence


class Timed(Protocol):
    id: PydanticObjectId | None
    created_at: datetime


D = TypeVar("D", bound=Document)


def time_order(way: int) -> list[SortKey]:
    """Oldest first (`way` 1) or newest first (-1); the id breaks ties."""
    return [("created_at", way), ("_id", way)]


def cursor_maker(kind: str) -> Callable[[Timed], str]:
    def cursor(doc: Timed) -> str:
        return encode_cursor(kind, [doc.created_at.isoformat(), str(doc.id)])

    return cursor


def cursor_decoder(kind: str) -> Callable[[str], list[Any]]:
    """Reads a cursor `cursor_maker(kind)` made back into its sort values."""

    def decode(cursor: str) -> list[Any]:
        values = decode_cursor(kind, cursor, size=2)
        try:
            created = datetime.fromisoformat(str(values[0]))
        except ValueError as exc:
            raise InvalidCursorError("The cursor is not valid.") from exc
        oid = parse_object_id(str(values[1]))
        if oid is None or created.tzinfo is None:
            raise InvalidCursorError("The cursor is not valid.")
        return [created, oid]

    return decode


def request_for(
    kind: str,
    *,
    first: int | None,
    after: str | None,
    last: int | None,
    before: str | None,
) -> PageRequest:
    return page_request(
        first=first, after=after, last=last, before=before, decode=cursor_decoder(kind)
    )


async def read_page(
    model: type[D],
    query: dict[str, Any],
    *,
    kind: str,
    way: int,
    request: PageRequest,
) -> Page[D]:
    """One page of `model` matching `query`, in time order `way`."""
    order = time_order(way)
    clauses = [query, *request.bounds(order)]
    docs = (
        await model.find({"$and": clauses})
        .sort(request.sort(order))
        .limit(request.size + 1)
        .to_list()
    )
    return request.page(docs, cursor_maker(kind))


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
    make_cursor = cursor_maker(kind)
    return [
        request.page(
            [model.model_validate(raw) for raw in grouped.get(parent, [])],
            make_cursor,
        )
        for parent in parents
    ]
