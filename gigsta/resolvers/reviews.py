"""Reviews: submit one, hide one (admins), and read them as the viewer may."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from beanie import PydanticObjectId
from pymongo.errors import DuplicateKeyError

from gigsta.documents import Booking, Review
from gigsta.documents import reviews as store
from gigsta.documents.events import DomainEvent, EventType, write_with_event
from gigsta.domain.accounts import SIGN_IN_FIRST, Role
from gigsta.domain.bookings.actions import ActorRole, BookingStatus
from gigsta.domain.core import ErrorCode, UserError
from gigsta.domain.reviews import (
    Relation,
    hide_errors,
    period_end,
    review_input_errors,
    review_refusal,
)
from gigsta.resolvers.bookings.queries import party_booking
from gigsta.resolvers.core.ids import parse_object_id
from gigsta.resolvers.core.timed_pages import first_pages, read_page, request_for

if TYPE_CHECKING:
    from collections.abc import Sequence
    from datetime import datetime

    from gigsta.domain.accounts import Viewer
    from gigsta.resolvers.core.pagination import Page

KIND = "review"
# The account role of each party a review can be about.
_ACCOUNT_ROLE = {ActorRole.WORKER: Role.WORKER, ActorRole.CUSTOMER: Role.CUSTOMER}
NEWEST_FIRST = -1


@dataclass
class ReviewResult:
    review: Review | None = None
    errors: list[UserError] = field(default_factory=list)


def _refused(code: ErrorCode, message: str, field: str | None = None) -> ReviewResult:
    return ReviewResult(errors=[UserError(field, code, message)])


async def submit_review(
    viewer: Viewer | None, *, booking_id: str, rating: int, text: str, now: datetime
) -> ReviewResult:
    """The viewer's one review of the other side of a completed booking."""
    found = await party_booking(viewer, booking_id)
    if isinstance(found, UserError):
        return ReviewResult(errors=[found])
    viewer, booking, role = found
    refusal = review_refusal(role, booking.status, booking.completed_at, now)
    errors = [refusal] if refusal else review_input_errors(rating, text)
    if errors or booking.completed_at is None:
        return ReviewResult(errors=errors)
    review = Review(
        booking_id=booking.id,
        customer_id=booking.customer_id,
        worker_id=booking.worker_id,
        author_role=role,
        author_id=PydanticObjectId(viewer.user_id),
        rating=rating,
        text=text.strip(),
        created_at=now,
        period_ends_at=period_end(booking.completed_at),
    )
    try:
        await write_with_event(
            lambda session: store.insert_review(review, session),
            lambda written: _submitted(booking, written, viewer),
        )
    except DuplicateKeyError:
        return _refused(
            ErrorCode.ALREADY_REVIEWED, "You have reviewed this booking already."
        )
    if await store.reveal_pair(review.booking_id, now):
        review.revealed_at = review.revealed_at or now
    return ReviewResult(review=review)


def _submitted(booking: Booking, review: Review, viewer: Viewer) -> DomainEvent:
    """The event of a new review. It says who reviewed, not what they wrote:
    the event reaches both parties at once, and the review itself stays
    hidden from the other side until it is revealed."""
    return DomainEvent.about(
        EventType.REVIEW_SUBMITTED,
        booking,
        actor_role=review.author_role,
        actor_id=viewer.user_id,
        at=review.created_at,
        review_id=str(review.id),
        author_role=review.author_role.value,
    )


async def hide_review(
    viewer: Viewer | None, *, review_id: str, reason: str, now: datetime
) -> ReviewResult:
    """An admin hides a review from everyone but admins and its author; the
    reason stays in the review's moderation history."""
    if viewer is None:
        return ReviewResult(errors=[SIGN_IN_FIRST])
    if viewer.role is not Role.ADMIN:
        return _refused(ErrorCode.NOT_ALLOWED, "Only admins hide reviews.")
    errors = hide_errors(reason)
    oid = parse_object_id(review_id)
    if errors or oid is None:
        return ReviewResult(errors=errors)
    entry = store.ReviewModeration(
        action="hide",
        reason=reason.strip(),
        actor_id=PydanticObjectId(viewer.user_id),
        at=now,
    )
    hidden = await store.hide_review(oid, entry)
    if hidden is None:
        return _refused(ErrorCode.NOT_FOUND, "Review not found.", "reviewId")
    return ReviewResult(review=hidden)


def party_relation(
    viewer: Viewer | None, about: ActorRole, party_id: object, *, deciding: bool
) -> Relation:
    """How the viewer stands to the reviews about one worker or customer;
    `deciding`: the viewer is a worker with a request from that customer
    waiting on them."""
    if viewer is None:
        return Relation.OTHER
    if viewer.role is Role.ADMIN:
        return Relation.ADMIN
    if viewer.role is _ACCOUNT_ROLE.get(about) and viewer.profile_id == str(party_id):
        return Relation.SUBJECT
    return Relation.DECIDING_WORKER if deciding else Relation.OTHER


def relation(viewer: Viewer | None, review: Review, *, deciding: bool) -> Relation:
    """How the viewer stands to one review (its author, or as to its subject)."""
    if viewer is not None and viewer.user_id == str(review.author_id):
        return Relation.AUTHOR
    subject = (
        review.worker_id if review.about is ActorRole.WORKER else review.customer_id
    )
    return party_relation(viewer, review.about, subject, deciding=deciding)


def about_filter(
    about: ActorRole, *, everything: bool, now: datetime
) -> dict[str, Any]:
    """Reviews about a worker (or a customer): all of them for admins, else
    those revealed and not hidden."""
    author = ActorRole.CUSTOMER if about is ActorRole.WORKER else ActorRole.WORKER
    query: dict[str, Any] = {"author_role": author.value}
    return query if everything else {**query, **store.public_filter(now)}


async def review_page(
    about: ActorRole,
    party_id: PydanticObjectId,
    *,
    everything: bool,
    now: datetime,
    first: int | None,
    after: str | None,
    last: int | None,
    before: str | None,
) -> Page[Review]:
    """A page of the reviews about one worker or customer, newest first."""
    request = request_for(KIND, first=first, after=after, last=last, before=before)
    query = about_filter(about, everything=everything, now=now)
    query[f"{about.value}_id"] = party_id
    return await read_page(Review, query, kind=KIND, way=NEWEST_FIRST, request=request)


async def first_review_pages(
    about: ActorRole,
    party_ids: Sequence[PydanticObjectId],
    *,
    everything: bool,
    now: datetime,
    size: int,
) -> list[Page[Review]]:
    return await first_pages(
        Review,
        f"{about.value}_id",
        party_ids,
        about_filter(about, everything=everything, now=now),
        kind=KIND,
        way=NEWEST_FIRST,
        size=size,
    )


async def worker_ratings(
    worker_ids: Sequence[PydanticObjectId], now: datetime
) -> list[tuple[float, int] | None]:
    """Each worker's average rating and count over their visible reviews."""
    query = about_filter(ActorRole.WORKER, everything=False, now=now)
    pipeline: list[dict[str, Any]] = [
        {"$match": {"$and": [query, {"worker_id": {"$in": list(set(worker_ids))}}]}},
        {"$group": {"_id": "$worker_id", "sum": {"$sum": "$rating"}, "n": {"$sum": 1}}},
    ]
    cursor = await Review.get_pymongo_collection().aggregate(pipeline)
    found = {row["_id"]: (int(row["sum"]), int(row["n"])) async for row in cursor}
    return [
        (found[w][0] / found[w][1], found[w][1]) if w in found else None
        for w in worker_ids
    ]


async def reviews_by_booking(
    booking_ids: Sequence[PydanticObjectId],
) -> list[list[Review]]:
    docs = await Review.find({"booking_id": {"$in": list(set(booking_ids))}}).to_list()
    by_booking: dict[PydanticObjectId, list[Review]] = {}
    for doc in sorted(docs, key=lambda d: d.created_at):
        by_booking.setdefault(doc.booking_id, []).append(doc)
    return [by_booking.get(b, []) for b in booking_ids]


async def deciding_on(
    viewer: Viewer | None, customer_ids: Sequence[PydanticObjectId]
) -> list[bool]:
    """For each customer, whether the viewer is a worker with a request from
    them waiting for an answer (one query for any number of customers)."""
    worker = parse_object_id(viewer.profile_id or "") if viewer else None
    if viewer is None or viewer.role is not Role.WORKER or worker is None:
        return [False for _ in customer_ids]
    waiting = await Booking.find(
        {
            "worker_id": worker,
            "customer_id": {"$in": list(set(customer_ids))},
            "status": BookingStatus.REQUESTED.value,
        }
    ).to_list()
    asking = {b.customer_id for b in waiting}
    return [c in asking for c in customer_ids]
