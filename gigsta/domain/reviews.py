"""Reviews after a booking: who may write one, when, and who may read it (pure).

Each side of a completed booking may review the other once, within
`REVIEW_PERIOD` of completion. A review is hidden from everyone but its author
and admins until it is *revealed*: when both sides have reviewed, or when the
period ends, whichever is first (so neither side can answer a review with a
retaliation). Reveal is computed from the data and `now`
(`is_revealed`): no timer has to run for a period to end.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from enum import StrEnum

from gigsta.domain.bookings.actions import ActorRole, BookingStatus
from gigsta.domain.core import ErrorCode, UserError, too_long

REVIEW_PERIOD = timedelta(days=14)
MIN_RATING = 1
MAX_RATING = 5
MAX_REVIEW_LENGTH = 2000
MAX_HIDE_REASON_LENGTH = 500

# A booking is reviewable once the job was done (completed or closed after it).
REVIEWABLE_STATUSES: frozenset[BookingStatus] = frozenset(
    {BookingStatus.COMPLETED, BookingStatus.CLOSED}
)
REVIEWERS: frozenset[ActorRole] = frozenset({ActorRole.CUSTOMER, ActorRole.WORKER})


class Relation(StrEnum):
    """How a viewer stands to one review."""

    ADMIN = "admin"
    AUTHOR = "author"
    # The one the review is about.
    SUBJECT = "subject"
    # A worker with a request from the reviewed customer waiting on them.
    DECIDING_WORKER = "deciding_worker"
    # Anyone else, signed in or not.
    OTHER = "other"


@dataclass(frozen=True, slots=True)
class ReviewFacts:
    """What visibility depends on."""

    about: ActorRole  # WORKER: the customer reviewed the worker; or CUSTOMER
    revealed: bool
    hidden: bool


def period_end(completed_at: datetime) -> datetime:
    return completed_at + REVIEW_PERIOD


def is_revealed(
    *, revealed_at: datetime | None, period_ends_at: datetime, now: datetime
) -> bool:
    """Both sides have reviewed (`revealed_at` was stamped), or time is up."""
    return revealed_at is not None or now >= period_ends_at


def may_see(relation: Relation, review: ReviewFacts) -> bool:
    """The one visibility rule of reviews, per viewer relation."""
    if relation in {Relation.ADMIN, Relation.AUTHOR}:
        return True
    if review.hidden or not review.revealed:
        return False
    if review.about is ActorRole.WORKER:
        return True  # a worker's reviews are public: they are how one chooses
    return relation in {Relation.SUBJECT, Relation.DECIDING_WORKER}


def review_refusal(
    role: ActorRole,
    status: BookingStatus,
    completed_at: datetime | None,
    now: datetime,
) -> UserError | None:
    """Why `role` may not review a booking in `status` now, or None."""
    if role not in REVIEWERS:
        return UserError(
            None, ErrorCode.NOT_ALLOWED, "Only the customer and the worker review."
        )
    if status not in REVIEWABLE_STATUSES or completed_at is None:
        return UserError(
            "bookingId",
            ErrorCode.REVIEW_NOT_OPEN,
            "A booking can be reviewed once the job is completed.",
        )
    if now >= period_end(completed_at):
        return UserError(
            "bookingId",
            ErrorCode.REVIEW_NOT_OPEN,
            f"Reviews close {REVIEW_PERIOD.days} days after completion.",
        )
    return None


def review_input_errors(rating: int, text: str) -> list[UserError]:
    errors = []
    if not MIN_RATING <= rating <= MAX_RATING:
        errors.append(
            UserError(
                "rating",
                ErrorCode.INVALID,
                f"Rate from {MIN_RATING} to {MAX_RATING}.",
            )
        )
    if len(text.strip()) > MAX_REVIEW_LENGTH:
        errors.append(too_long("text", MAX_REVIEW_LENGTH))
    return errors


def hide_errors(reason: str) -> list[UserError]:
    if not reason.strip():
        return [UserError("reason", ErrorCode.REASON_REQUIRED, "Say why.")]
    if len(reason.strip()) > MAX_HIDE_REASON_LENGTH:
        return [too_long("reason", MAX_HIDE_REASON_LENGTH)]
    return []


def subject_of(author: ActorRole) -> ActorRole:
    """Whom a review by `author` is about."""
    return ActorRole.WORKER if author is ActorRole.CUSTOMER else ActorRole.CUSTOMER
