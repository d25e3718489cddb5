"""Reviews' DataLoaders, built per request through `Context.loader`: a page
of bookings, workers or customers costs one command per loader."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from beanie import PydanticObjectId
from strawberry.dataloader import DataLoader

from gigsta.documents import Review
from gigsta.resolvers import reviews
from gigsta.schema.core.dataloaders import by_id, load_grouped

if TYPE_CHECKING:
    from datetime import datetime

    from gigsta.domain.accounts import Viewer
    from gigsta.domain.bookings.actions import ActorRole
    from gigsta.resolvers.core.pagination import Page

# (about, everything, now, size): the arguments of one page of reviews.
PageGroup = tuple["ActorRole", bool, "datetime", int]


ReviewByIdLoader = by_id(Review)


class ReviewsByBookingLoader(DataLoader[PydanticObjectId, list[Review]]):
    def __init__(self) -> None:
        super().__init__(load_fn=reviews.reviews_by_booking)


async def _first_pages(
    group: PageGroup, parents: list[PydanticObjectId]
) -> list[Page[Review]]:
    about, everything, now, size = group
    return await reviews.first_review_pages(
        about, parents, everything=everything, now=now, size=size
    )


class FirstReviewPageLoader(
    DataLoader[tuple[PydanticObjectId, PageGroup], "Page[Review]"]
):
    """The first page of reviews about each worker (or customer)."""

    def __init__(self) -> None:
        super().__init__(load_fn=lambda keys: load_grouped(keys, _first_pages))


async def _ratings(
    now: datetime, workers: list[PydanticObjectId]
) -> list[tuple[float, int] | None]:
    return await reviews.worker_ratings(workers, now)


class RatingByWorkerLoader(
    DataLoader[tuple[PydanticObjectId, "datetime"], tuple[float, int] | None]
):
    def __init__(self) -> None:
        super().__init__(load_fn=lambda keys: load_grouped(keys, _ratings))


class DecidingOnCustomerLoader(
    DataLoader[tuple[PydanticObjectId, "Viewer | None"], bool]
):
    """Whether the viewer (a worker) has a request from the customer waiting."""

    def __init__(self) -> None:
        super().__init__(load_fn=lambda keys: load_grouped(keys, _deciding))


async def _deciding(viewer: Any, customers: list[PydanticObjectId]) -> list[bool]:
    return await reviews.deciding_on(viewer, customers)
