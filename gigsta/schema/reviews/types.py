"""GraphQL types of reviews, and the review fields of `Worker`, `Customer`
and `Booking` (which sit above this domain and call these helpers)."""

from __future__ import annotations

from datetime import datetime
from typing import TYPE_CHECKING, Any, Self

import strawberry

from gigsta.documents import Review as ReviewDoc
from gigsta.documents.reviews import ReviewModeration as ModerationDoc
from gigsta.domain.accounts import Role
from gigsta.domain.bookings.actions import ActorRole as ActorRoleData
from gigsta.domain.reviews import Relation, may_see
from gigsta.resolvers import reviews
from gigsta.resolvers.core.pagination import first_page_size
from gigsta.schema.core import nodes
from gigsta.schema.core.connections import Connection, connection_from_page
from gigsta.schema.core.context import Info
from gigsta.schema.core.enums import ActorRole
from gigsta.schema.core.fields import doc_field, id_field
from gigsta.schema.reviews.dataloaders import (
    DecidingOnCustomerLoader,
    FirstReviewPageLoader,
    RatingByWorkerLoader,
    ReviewByIdLoader,
    ReviewsByBookingLoader,
)

if TYPE_CHECKING:
    from collections.abc import Sequence

    from beanie import PydanticObjectId

    from gigsta.documents import Booking as BookingDoc
    from gigsta.documents import Customer as CustomerDoc
    from gigsta.documents import Worker as WorkerDoc


@strawberry.type(description="An admin's action on a review (admins only).")
class ReviewModeration:
    doc: strawberry.Private[ModerationDoc]

    action = doc_field(str, description="What was done: `hide`.")
    reason = doc_field(str, description="Why, as the admin wrote it.")

    actor_id = id_field("User", description="The admin `User`'s id.")

    at = doc_field(datetime, description="When (UTC).")


@strawberry.type(
    description="One side's review of the other after a completed booking. "
    "Until both sides have reviewed or the 14-day review period is over, only "
    "its author and admins see it; then a review of a worker is public, and a "
    "review of a customer is seen by that customer and by workers with a "
    "request from them to decide on. A review an admin hid is seen by its "
    "author and admins only."
)
class Review(nodes.DocumentNode[ReviewDoc], loader=ReviewByIdLoader):
    @classmethod
    async def visible_nodes(
        cls, info: Info, ids: Sequence[PydanticObjectId]
    ) -> list[Self | None]:
        loaded = await info.context.loader(ReviewByIdLoader).load_many(ids)
        visible = await visible_reviews(info, [d for d in loaded if d is not None])
        shown = {review.doc.id: review for review in visible}
        return [shown.get(oid) for oid in ids]  # type: ignore[misc]

    rating = doc_field(int, description="From 1 to 5 stars.")
    text = doc_field(str, description="What the author wrote (may be empty).")
    author_role = doc_field(
        ActorRole,
        description="CUSTOMER: the customer reviewed the worker; WORKER: the "
        "worker reviewed the customer.",
    )
    created_at = doc_field(datetime, description="When written (UTC).")

    booking_id = id_field("Booking", description="The booking reviewed.")

    @strawberry.field(
        description="Whether others may see it yet: both sides have reviewed, or "
        "the review period is over."
    )
    def revealed(self, info: Info) -> bool:
        return self.doc.facts(info.context.now).revealed

    hidden = doc_field(bool, description="An admin hid it.")
    period_ends_at = doc_field(
        datetime,
        description="When the booking's review period ends (UTC): the review "
        "is revealed then at the latest.",
    )

    @strawberry.field(description="Admins' actions on it: admins only, else null.")
    def moderation(self, info: Info) -> list[ReviewModeration] | None:
        viewer = info.context.viewer
        if viewer is None or viewer.role is not Role.ADMIN:
            return None
        return [ReviewModeration(doc=entry) for entry in self.doc.moderation]


@strawberry.type(description="A worker's average rating over their visible reviews.")
class Rating:
    average: float | None = strawberry.field(
        description="Mean stars, 1 to 5, to two decimals; null without reviews."
    )
    count: int = strawberry.field(description="How many reviews it is made of.")


async def visible_reviews(info: Info, docs: Sequence[ReviewDoc]) -> list[Review]:
    """The reviews the viewer may see, by the one rule (`domain.reviews`)."""
    viewer = info.context.viewer
    deciding = await info.context.loader(DecidingOnCustomerLoader).load_many(
        [(doc.customer_id, viewer) for doc in docs]
    )
    now = info.context.now
    return [
        Review(doc=doc)
        for doc, waiting in zip(docs, deciding, strict=True)
        if may_see(reviews.relation(viewer, doc, deciding=waiting), doc.facts(now))
    ]


async def booking_reviews(info: Info, booking: BookingDoc) -> list[Review]:
    docs = await info.context.loader(ReviewsByBookingLoader).load(booking.id)  # type: ignore[arg-type]
    return await visible_reviews(info, docs)


async def worker_rating(info: Info, worker: WorkerDoc) -> Rating:
    loader = info.context.loader(RatingByWorkerLoader)
    found = await loader.load((worker.id, info.context.now))  # type: ignore[arg-type]
    if found is None:
        return Rating(average=None, count=0)
    return Rating(average=round(found[0], 2), count=found[1])


async def review_connection(
    info: Info,
    about: ActorRoleData,
    party_id: PydanticObjectId,
    *,
    everything: bool,
    **paging: Any,
) -> Connection[Review]:
    """A page of the reviews about one party: first pages through the loader
    (one command for a page of parties), other pages directly."""
    now = info.context.now
    size = first_page_size(**paging)
    if size is None:
        page = await reviews.review_page(
            about, party_id, everything=everything, now=now, **paging
        )
    else:
        group = (about, everything, now, size)
        page = await info.context.loader(FirstReviewPageLoader).load((party_id, group))
    return connection_from_page(page, lambda doc: Review(doc=doc))


async def worker_reviews(
    info: Info, worker: WorkerDoc, **paging: Any
) -> Connection[Review]:
    viewer = info.context.viewer
    everything = viewer is not None and viewer.role is Role.ADMIN
    return await review_connection(
        info,
        ActorRoleData.WORKER,
        worker.id,  # type: ignore[arg-type]  # a stored worker has an id
        everything=everything,
        **paging,
    )


async def customer_reviews(
    info: Info, customer: CustomerDoc, **paging: Any
) -> Connection[Review] | None:
    """Reviews of a customer: for that customer, admins, and workers with a
    request from them to decide on; null for anyone else."""
    viewer = info.context.viewer
    deciding = await info.context.loader(DecidingOnCustomerLoader).load(
        (customer.id, viewer)  # type: ignore[arg-type]
    )
    relation = reviews.party_relation(
        viewer, ActorRoleData.CUSTOMER, customer.id, deciding=deciding
    )
    if relation is Relation.OTHER:
        return None
    return await review_connection(
        info,
        ActorRoleData.CUSTOMER,
        customer.id,  # type: ignore[arg-type]
        everything=relation is Relation.ADMIN,
        **paging,
    )
