"""Reviews' mutations: review the other side of a booking; hide a review."""

from __future__ import annotations

from typing import Annotated

import strawberry

from gigsta.domain.reviews import (
    MAX_HIDE_REASON_LENGTH,
    MAX_RATING,
    MAX_REVIEW_LENGTH,
    MIN_RATING,
    REVIEW_PERIOD,
)
from gigsta.resolvers import reviews
from gigsta.schema.core import nodes
from gigsta.schema.core.context import Info
from gigsta.schema.core.errors import UserError, errors_field, user_errors
from gigsta.schema.payloads import id_input, shown, wrong_id
from gigsta.schema.reviews.types import Review


@strawberry.input(description="One side's review of the other after a booking.")
class SubmitBookingReviewInput:
    booking_id: strawberry.ID = id_input("Booking")
    rating: int = strawberry.field(
        description=f"Stars, from {MIN_RATING} to {MAX_RATING}."
    )
    text: str = strawberry.field(
        default="",
        description=f"Trimmed; may be empty; at most {MAX_REVIEW_LENGTH} characters.",
    )


@strawberry.input(description="A review to hide, and why.")
class HideReviewInput:
    review_id: strawberry.ID = id_input("Review")
    reason: str = strawberry.field(
        description=f"Kept in the review's moderation history; at most "
        f"{MAX_HIDE_REASON_LENGTH} characters (REASON_REQUIRED when empty)."
    )


@strawberry.type(description="The result of `submitBookingReview` or `hideReview`.")
class ReviewPayload:
    review: Review | None = strawberry.field(
        default=None, description="The review as it is now; null when nothing changed."
    )
    errors: list[UserError] = errors_field("Why nothing changed")


def _payload(result: reviews.ReviewResult) -> ReviewPayload:
    return ReviewPayload(
        review=shown(Review, result.review), errors=user_errors(result.errors)
    )


@strawberry.type
class ReviewsMutation:
    @strawberry.mutation(
        description=(
            "The booking's customer reviews the worker, or its worker the "
            "customer: once each, after the job is completed and within "
            f"{REVIEW_PERIOD.days} days of completion. The review is hidden "
            "from the other side until both have reviewed or the period ends."
        )
    )
    async def submit_booking_review(
        self,
        info: Info,
        input: Annotated[
            SubmitBookingReviewInput, strawberry.argument(description="The review.")
        ],
    ) -> ReviewPayload:
        booking_id = nodes.local_id(input.booking_id, "Booking")
        if booking_id is None:
            return wrong_id(ReviewPayload, "bookingId", "Booking")
        result = await reviews.submit_review(
            info.context.viewer,
            booking_id=str(booking_id),
            rating=input.rating,
            text=input.text,
            now=info.context.now,
        )
        return _payload(result)

    @strawberry.mutation(
        description="An admin hides a review from everyone but admins and its "
        "author (it no longer counts in `Worker.rating`); the reason is kept in "
        "`Review.moderation`."
    )
    async def hide_review(
        self,
        info: Info,
        input: Annotated[
            HideReviewInput, strawberry.argument(description="The review and why.")
        ],
    ) -> ReviewPayload:
        review_id = nodes.local_id(input.review_id, Review)
        if review_id is None:
            return wrong_id(ReviewPayload, "reviewId", "Review")
        result = await reviews.hide_review(
            info.context.viewer,
            review_id=str(review_id),
            reason=input.reason,
            now=info.context.now,
        )
        return _payload(result)
