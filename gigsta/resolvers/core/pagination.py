"""Opaque cursors and page sizes for cursor connections."""

from __future__ import annotations

import base64
import binascii
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Generic, TypeVar

import orjson
from beanie import Document, PydanticObjectId, SortDirection

from gigsta.domain.core import ClientError, ErrorCode
from gigsta.resolvers.core.ids import parse_object_id

if TYPE_CHECKING:
    from collections.abc import Callable, Mapping, Sequence

    from gigsta.resolvers.core.newest_pages import NewestPages

T = TypeVar("T")
D = TypeVar("D", bound=Document)

MAX_PAGE_SIZE = 100
DEFAULT_PAGE_SIZE = 20
# Our cursors are under 100 characters; a longer one was not made by us.
MAX_CURSOR_LENGTH = 500


class InvalidCursorError(ClientError):
    def __init__(self, message: str) -> None:
        super().__init__(ErrorCode.BAD_USER_INPUT, message)


def encode_cursor(kind: str, values: list[Any]) -> str:
    """`kind` and `values` as compact JSON in URL-safe base64 (orjson, both
    ways: one cursor for every item of a page, so it is made often)."""
    raw = orjson.dumps([kind, *values])
    return base64.urlsafe_b64encode(raw).decode().rstrip("=")


def decode_cursor(kind: str, cursor: str, size: int | None = None) -> list[Any]:
    """The values of a cursor of `kind` (exactly `size` of them, if given).

    Anything else is an `InvalidCursorError` that says nothing of the format.
    """
    if len(cursor) > MAX_CURSOR_LENGTH:
        raise InvalidCursorError("The cursor is not valid.")
    try:
        padded = cursor + "=" * (-len(cursor) % 4)
        data = orjson.loads(base64.urlsafe_b64decode(padded.encode()))
    except (binascii.Error, ValueError, UnicodeDecodeError) as exc:
        raise InvalidCursorError("The cursor is not valid.") from exc
    if not isinstance(data, list) or not data or data[0] != kind:
        raise InvalidCursorError("The cursor is not valid for this list.")
    if size is not None and len(data) != size + 1:
        raise InvalidCursorError("The cursor is not valid.")
    return data[1:]


def _size(name: str, value: int | None) -> int:
    if value is None:
        return DEFAULT_PAGE_SIZE
    if value < 0:
        raise InvalidCursorError(f"`{name}` must not be negative.")
    return min(value, MAX_PAGE_SIZE)


# One key of a list's order: a field and its direction (1 ascending, -1 not).
SortKey = tuple[str, int]


def cursor_id(value: object) -> PydanticObjectId:
    """The document id in a cursor (the last sort key of every list)."""
    oid = parse_object_id(str(value))
    if oid is None:
        raise InvalidCursorError("The cursor is not valid.")
    return oid


def key_then_id(parse_key: Callable[[Any], Any]) -> Callable[[list[Any]], list[Any]]:
    """The `parse` of a list ordered by one key and then the id: `parse_key`
    reads the key's value back, raising `ValueError` or `TypeError` for one
    we did not make."""

    def parse(values: list[Any]) -> list[Any]:
        try:
            key = parse_key(values[0])
        except (TypeError, ValueError) as exc:
            raise InvalidCursorError("The cursor is not valid.") from exc
        return [key, cursor_id(values[1])]

    return parse


@dataclass(frozen=True)
class ListOrder(Generic[T]):
    """A list's order and its cursors. `kind` names the list (a cursor of
    another list is refused); `keys` are its sort keys; `values` gives an
    item's place as JSON values, and `parse` turns those back into the sort
    keys' values (raising `InvalidCursorError` for anything we did not make)."""

    kind: str
    keys: Sequence[SortKey]
    values: Callable[[T], list[Any]]
    parse: Callable[[list[Any]], list[Any]]

    def cursor(self, item: T) -> str:
        return encode_cursor(self.kind, self.values(item))

    def decode(self, cursor: str) -> list[Any]:
        return self.parse(decode_cursor(self.kind, cursor, size=len(self.keys)))


@dataclass(frozen=True)
class PageRequest:
    """Which page of a list to read, its cursors already decoded into the
    values of the list's sort keys.

    Forward (`first`, the default) reads from the start or from after `after`;
    backward (`last`) reads the items just before `before`, or the list's last
    ones. Either bound may be given in either direction.
    """

    size: int
    backward: bool = False
    after: list[Any] | None = None
    before: list[Any] | None = None

    @property
    def first_page(self) -> bool:
        """The list's first items: forward, from no cursor."""
        return not self.backward and self.after is None and self.before is None

    def bounds(self, order: Sequence[SortKey]) -> list[dict[str, Any]]:
        """The MongoDB filter clauses that keep only items between the bounds."""
        clauses = []
        if self.after is not None:
            clauses.append(_beyond(order, self.after, forward=True))
        if self.before is not None:
            clauses.append(_beyond(order, self.before, forward=False))
        return clauses

    def sort(self, order: Sequence[SortKey]) -> list[tuple[str, SortDirection]]:
        """The order to read in: the list's, or reversed to page backward."""
        return [
            (name, SortDirection(-way if self.backward else way)) for name, way in order
        ]

    def page(self, docs: Sequence[T], cursor: Callable[[T], str]) -> Page[T]:
        """The page from up to `size + 1` items read in `sort` order: the extra
        one says that more lie that way."""
        more = len(docs) > self.size
        kept = list(docs[: self.size])
        if self.backward:
            kept.reverse()
        return Page(
            items=[(doc, cursor(doc)) for doc in kept],
            # Past a cursor there is at least the item it came from.
            has_next_page=self.before is not None if self.backward else more,
            has_previous_page=more if self.backward else self.after is not None,
        )


def _beyond(
    order: Sequence[SortKey], values: list[Any], *, forward: bool
) -> dict[str, Any]:
    """Items after (`forward`) or before the position `values` in `order`:
    the first key past it, or equal on it and past it on the next, ..."""
    alternatives = []
    for depth, (name, way) in enumerate(order):
        past = "$gt" if (way > 0) == forward else "$lt"
        clause: dict[str, Any] = {
            n: v for (n, _), v in zip(order[:depth], values[:depth], strict=True)
        }
        clause[name] = {past: values[depth]}
        alternatives.append(clause)
    return alternatives[0] if len(alternatives) == 1 else {"$or": alternatives}


@dataclass(frozen=True)
class Paging:
    """A connection's paging arguments as the client gave them: `first` and
    `after` page forward, `last` and `before` backward."""

    first: int | None = None
    after: str | None = None
    last: int | None = None
    before: str | None = None

    def request(self, decode: Callable[[str], list[Any]]) -> PageRequest:
        """The page asked for; `decode` turns one of the list's cursors into its
        sort values (or raises `InvalidCursorError`)."""
        if self.first is not None and self.last is not None:
            raise InvalidCursorError(
                "Give `first` (to page forward) or `last` (backward), not both."
            )
        return PageRequest(
            size=(
                _size("last", self.last)
                if self.last is not None
                else _size("first", self.first)
            ),
            backward=self.last is not None,
            after=None if self.after is None else decode(self.after),
            before=None if self.before is None else decode(self.before),
        )


async def find_page(
    model: type[D],
    query: Mapping[str, Any],
    order: ListOrder[D],
    request: PageRequest,
    *,
    newest: NewestPages | None = None,
) -> Page[D]:
    """The page of `model`'s documents matching `query` (which holds the
    request's bounds), in `order`. A first page read newest first goes
    through `newest` when given (a list nothing else narrows)."""
    sort = request.sort(order.keys)
    limit = request.size + 1
    if newest is not None and request.first_page and newest.serves(query, sort):
        docs = await newest.find(model, query, sort, limit)
    else:
        docs = await model.find(query).sort(sort).limit(limit).to_list()
    return request.page(docs, order.cursor)


def first_page_size(
    *, first: int | None, after: str | None, last: int | None, before: str | None
) -> int | None:
    """The size of a plain first page (`first` alone), or None for any other
    request: only first pages are loaded for many parents at once."""
    if after is not None or last is not None or before is not None:
        return None
    return _size("first", first)


@dataclass
class Page(Generic[T]):
    items: list[tuple[T, str]]
    has_next_page: bool
    has_previous_page: bool = False

    @property
    def start_cursor(self) -> str | None:
        return self.items[0][1] if self.items else None

    @property
    def end_cursor(self) -> str | None:
        return self.items[-1][1] if self.items else None
