"""DataLoaders every domain uses, and the shape of all of them: one `$in`
query per batch, results in key order (`[by_id.get(k) for k in keys]`).

Loaders are built per request through `Context.loader`."""

from __future__ import annotations

from collections import defaultdict
from typing import TYPE_CHECKING, Any, TypeVar

from beanie import Document, PydanticObjectId
from strawberry.dataloader import DataLoader

from gigsta.documents import Booking, Customer, User, Worker

if TYPE_CHECKING:
    from collections.abc import Awaitable, Callable, Sequence

D = TypeVar("D", bound=Document)


async def load_by_ids(
    model: type[D], keys: Sequence[PydanticObjectId]
) -> list[D | None]:
    docs = await model.find({"_id": {"$in": list(set(keys))}}).to_list()
    by_id = {doc.id: doc for doc in docs}
    return [by_id.get(key) for key in keys]


def group_by(
    keys: Sequence[PydanticObjectId],
    docs: list[D],
    key_of: Callable[[D], Any],
) -> list[list[D]]:
    """Documents grouped under their parent's key, in key order."""
    groups: defaultdict[Any, list[D]] = defaultdict(list)
    for doc in docs:
        groups[key_of(doc)].append(doc)
    return [groups.get(key, []) for key in keys]


class UserByIdLoader(DataLoader[PydanticObjectId, User | None]):
    def __init__(self) -> None:
        super().__init__(load_fn=lambda keys: load_by_ids(User, keys))


class CustomerByIdLoader(DataLoader[PydanticObjectId, Customer | None]):
    def __init__(self) -> None:
        super().__init__(load_fn=lambda keys: load_by_ids(Customer, keys))


class WorkerByIdLoader(DataLoader[PydanticObjectId, Worker | None]):
    def __init__(self) -> None:
        super().__init__(load_fn=lambda keys: load_by_ids(Worker, keys))


class BookingByIdLoader(DataLoader[PydanticObjectId, Booking | None]):
    def __init__(self) -> None:
        super().__init__(load_fn=lambda keys: load_by_ids(Booking, keys))


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
