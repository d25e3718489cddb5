"""The first page of a long newest-first list, read within a bounded range of
its index.

A list with nothing to narrow it (the admin's bookings, all of them or one
status) is read from its `created_at` index newest first, limited to a
page. MongoDB stops after the page's keys. SecantusDB, the embedded
database, reads every key within the index bounds before it applies the
limit, so there the page costs as much as the collection is long (its
explain shows one key examined per booking stored).

So each server remembers, for each such list and page size, where its last
first page ended (the `created_at` of its last document read), and reads the
next one as two ranges: from there up, then, only if that holds less than a
page, the rest below. The remembered bound only makes the first range
small: everything newer is in it, so new documents are found, and whatever
it misses (documents gone or changed since) the second range reads. The
result is the page the plain query gives, in one command while the bound
holds (two when it does not); the first request for a list, on each
server, reads it the plain way and learns the bound.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, TypeVar

from beanie import Document
from cachetools import LRUCache

if TYPE_CHECKING:
    from collections.abc import Mapping

    from beanie import SortDirection

D = TypeVar("D", bound=Document)


class NewestPages:
    """The bounds learned for newest-first first pages on `field` (a
    timestamp every document has), by collection, filter and page size."""

    def __init__(self, field: str = "created_at", lists: int = 512) -> None:
        self.field = field
        self._bounds: LRUCache[str, Any] = LRUCache(maxsize=lists)

    def forget(self) -> None:
        """Drop every bound learned (the next first page of each list is read
        the plain way)."""
        self._bounds.clear()

    def serves(
        self, query: Mapping[str, Any], sort: list[tuple[str, SortDirection]]
    ) -> bool:
        """Whether `find` can read `query` in `sort` order: newest first on
        `field`, which the query does not constrain itself."""
        return sort[0][0] == self.field and sort[0][1] < 0 and self.field not in query

    async def find(
        self,
        model: type[D],
        query: Mapping[str, Any],
        sort: list[tuple[str, SortDirection]],
        limit: int,
    ) -> list[D]:
        """The first `limit` documents of `model` matching `query` in `sort`
        order (which this must `serve`)."""
        assert self.serves(query, sort)
        collection = model.get_pymongo_collection().full_name
        key = f"{collection}|{limit}|{query!r}"
        bound = self._bounds.get(key)

        async def read(size: int, within: dict[str, Any] | None) -> list[D]:
            ranged = query if within is None else {**query, self.field: within}
            return await model.find(ranged).sort(sort).limit(size).to_list()

        if bound is None:
            docs = await read(limit, None)
        else:
            docs = await read(limit, {"$gte": bound})
            if len(docs) < limit:
                docs += await read(limit - len(docs), {"$lt": bound})
        if len(docs) == limit:
            self._bounds[key] = getattr(docs[-1], self.field)
        return docs
