"""DataLoaders every domain uses, and the shape of all of them: one `$in`
query per batch, results in key order (`[by_id.get(k) for k in keys]`).

Loaders are built per request through `Context.loader`."""

from __future__ import annotations

import inspect
from collections import defaultdict
from functools import partial
from typing import TYPE_CHECKING, Any, TypeVar, cast

from beanie import Document, PydanticObjectId
from strawberry.dataloader import DataLoader

from gigsta.documents import Booking, Customer, User, Worker

if TYPE_CHECKING:
    from collections.abc import Awaitable, Callable, Sequence

D = TypeVar("D", bound=Document)
K = TypeVar("K")
V = TypeVar("V")
R = TypeVar("R")


async def load_by_ids(
    model: type[D], keys: Sequence[PydanticObjectId]
) -> list[D | None]:
    docs = await model.find({"_id": {"$in": list(set(keys))}}).to_list()
    by_id = {doc.id: doc for doc in docs}
    return [by_id.get(key) for key in keys]


def by_id(document: type[D]) -> Callable[[], DataLoader[PydanticObjectId, D | None]]:
    """The kind of loader (for `Context.loader`) of `document`s by id."""

    def make() -> DataLoader[PydanticObjectId, D | None]:
        return DataLoader(load_fn=partial(load_by_ids, document))

    return make


def at_once(loader: DataLoader[K, V], key: K) -> V | Awaitable[V]:
    """`loader.load(key)`, or the value itself when the loader holds it
    already (loaded ahead, or earlier in the request): a field resolved from
    it then completes without awaiting."""
    future = loader.cache_map.get(key)
    if future is None or not future.done() or future.cancelled():
        return loader.load(key)
    return loader.load(key) if future.exception() else future.result()


def then(value: V | Awaitable[V], make: Callable[[V], R]) -> R:
    """`make(value)`: at once for a value, once awaited for an awaitable.

    For a resolver completing either way under its declared type: graphql-core
    awaits a field's awaitable result (and only then), so an object whose
    fields are all at hand completes with no task or coroutine of its own."""
    if inspect.isawaitable(value):
        pending = value

        async def later() -> R:
            return make(await pending)

        return cast("R", later())
    return make(value)


UserByIdLoader = by_id(User)
CustomerByIdLoader = by_id(Customer)
WorkerByIdLoader = by_id(Worker)
BookingByIdLoader = by_id(Booking)


async def load_grouped(
    keys: Sequence[tuple[PydanticObjectId, Any]],
    load_group: Callable[[Any, list[PydanticObjectId]], Awaitable[list[Any]]],
) -> list[Any]:
    """For keys `(parent id, group)`: one `load_group(group, parents)` call per
    distinct group (the arguments a nested list was asked with, alike on
    every item of a page), results in key order."""
    groups: defaultdict[Any, list[PydanticObjectId]] = defaultdict(list)
    for parent, group in keys:
        groups[group].append(parent)
    found: dict[tuple[PydanticObjectId, Any], Any] = {}
    for group, parents in groups.items():
        values = await load_group(group, parents)
        found.update(zip(((p, group) for p in parents), values, strict=True))
    return [found[key] for key in keys]
