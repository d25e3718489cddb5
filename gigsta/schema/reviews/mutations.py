"""Reviews' mutations: review the other side of a booking; hide a review."""

from __future__ import annotations

import strawberry

from gigsta.domain.reviews import (
    MAX_HIDE_REASON_LENGTH,
    MAX_RATING,
    MAX_REVIEW_LENGTH,
    MIN_RATING,
    REVIEW_PERIOD,
)
from gigsta.resolvers import reviews
from gigsta.schema.core.context import Info
from gigsta.schema.core.errors import UserError, errors_field, user_errors
from gigsta.schema.core.mutations import mutation, perform
from gigsta.schema.payloads import id_input, shown
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
    @mutation(
        "The booking's customer reviews the worker, or its worker the customer: "
        "once each, after the job is completed and within "
        f"{REVIEW_PERIOD.days} days of completion. The review is hidden from the "
        "other side until both have reviewed or the period ends.",
        "The review.",
    )
    async def submit_booking_review(
        self, info: Info, input: SubmitBookingReviewInput
    ) -> ReviewPayload:
        result = await perform(info, reviews.submit_review, input, booking_id="Booking")
        return _payload(result)

    @mutation(
        "An admin hides a review from everyone but admins and its author (it no "
        "longer counts in `Worker.rating`); the reason is kept in "
        "`Review.moderation`.",
        "The review and why.",
    )
    async def hide_review(self, info: Info, input: HideReviewInput) -> ReviewPayload:
        result = await perform(info, reviews.hide_review, input, review_id=Review)
        return _payload(result)
