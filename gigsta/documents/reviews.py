"""Reviews between the two sides of a booking, and their moderation history."""

from __future__ import annotations

from datetime import datetime
from typing import TYPE_CHECKING, Any

from beanie import Document, PydanticObjectId
from pydantic import BaseModel, Field
from pymongo import ReturnDocument

from gigsta.domain.bookings.actions import ActorRole
from gigsta.domain.reviews import REVIEWERS, ReviewFacts, is_revealed

if TYPE_CHECKING:
    from pymongo.asynchronous.client_session import AsyncClientSession


class ReviewModeration(BaseModel):
    """One admin action on a review (kept: hiding is never silent)."""

    action: str  # `hide`
    reason: str
    actor_id: PydanticObjectId
    at: datetime


class Review(Document):
    """One side's review of the other after a booking. At most one per
    booking and author role (a unique index, migration 0011)."""

    booking_id: PydanticObjectId
    customer_id: PydanticObjectId
    worker_id: PydanticObjectId
    author_role: ActorRole  # CUSTOMER reviews the worker; WORKER the customer
    author_id: PydanticObjectId  # the writing `User`
    rating: int
    text: str
    created_at: datetime
    period_ends_at: datetime
    # Stamped on both reviews when the second one arrives.
    revealed_at: datetime | None = None
    hidden: bool = False
    moderation: list[ReviewModeration] = Field(default_factory=list)

    class Settings:
        name = "reviews"

    @property
    def about(self) -> ActorRole:
        if self.author_role is ActorRole.CUSTOMER:
            return ActorRole.WORKER
        return ActorRole.CUSTOMER

    def facts(self, now: datetime) -> ReviewFacts:
        revealed = is_revealed(
            revealed_at=self.revealed_at, period_ends_at=self.period_ends_at, now=now
        )
        return ReviewFacts(about=self.about, revealed=revealed, hidden=self.hidden)


def public_filter(now: datetime) -> dict[str, Any]:
    """Reviews that anyone allowed to see revealed reviews sees
    (`is_revealed` and not hidden, as a query)."""
    return {
        "hidden": False,
        "$or": [{"revealed_at": {"$ne": None}}, {"period_ends_at": {"$lte": now}}],
    }


async def insert_review(
    review: Review, session: AsyncClientSession | None = None
) -> Review:
    await review.insert(session=session)
    return review


async def reveal_pair(booking_id: PydanticObjectId, now: datetime) -> bool:
    """Once both sides have reviewed the booking, stamp both as revealed.

    Run after each review is stored, outside its transaction: of two reviews
    written at once, the later to count sees both, so one of them stamps."""
    collection = Review.get_pymongo_collection()
    if await collection.count_documents({"booking_id": booking_id}) < len(REVIEWERS):
        return False
    await collection.update_many(
        {"booking_id": booking_id, "revealed_at": None},
        {"$set": {"revealed_at": now}},
    )
    return True


async def hide_review(
    review_id: PydanticObjectId, entry: ReviewModeration
) -> Review | None:
    raw = await Review.get_pymongo_collection().find_one_and_update(
        {"_id": review_id},
        {"$set": {"hidden": True}, "$push": {"moderation": entry.model_dump()}},
        return_document=ReturnDocument.AFTER,
    )
    return None if raw is None else Review.model_validate(raw)
