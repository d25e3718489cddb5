"""`UserError`: an expected failure, as data in every mutation's payload.

Its `code` is the domain's `ErrorCode`, published as the GraphQL enum
`UserErrorCode`. Clients must treat a value they do not know as a generic
failure (show `message`): a new code is an addition, not a breaking change,
as a new `actionName` is.
"""

from __future__ import annotations

import logging
from collections.abc import Mapping
from types import MappingProxyType
from typing import Any

import strawberry
from graphql import GraphQLError

from gigsta.domain.core import ErrorCode
from gigsta.domain.core import UserError as UserErrorData
from gigsta.observability import record_error_codes
from gigsta.schema.core.enums import expose

log = logging.getLogger(__name__)

# What each code means to a client: which mutations return it and what to do.
CODE_DESCRIPTIONS: Mapping[ErrorCode, str] = MappingProxyType(
    {
        ErrorCode.BAD_USER_INPUT: "A value the operation cannot use (a negative "
        "`first`, a cursor we did not make, `near` and `addressToken` together). "
        "Today only in query errors' `extensions.code`.",
        ErrorCode.INVALID: "The value of `field` is not acceptable; `message` says "
        "why (an empty name, a time in the past, a rate out of range, ...).",
        ErrorCode.TOO_LONG: "A string over its maximum length, or a list over its "
        "maximum count; `message` gives the limit.",
        ErrorCode.INVALID_EMAIL: "Not an email address (signUp).",
        ErrorCode.PASSWORD_TOO_SHORT: "The password has fewer than 10 characters "
        "(signUp).",
        ErrorCode.EMAIL_TAKEN: "An account with this email exists already (signUp).",
        ErrorCode.INVALID_CREDENTIALS: "The email or password is wrong (logIn); "
        "which one is deliberately not said.",
        ErrorCode.UNAUTHENTICATED: "Sign in first: the request has no "
        "`Authorization: Bearer` token (an invalid or revoked one is refused "
        "with HTTP 401 before anything runs).",
        ErrorCode.DATABASE_UNAVAILABLE: "The database could not be reached or did "
        "not answer in time; try again shortly. Only in GraphQL errors' "
        "`extensions.code` (queries and mutations alike), never in a UserError.",
        ErrorCode.NOT_FOUND: "The id in `field` names nothing the viewer may see "
        "(missing and forbidden look the same, so ids cannot be probed).",
        ErrorCode.NOT_ALLOWED: "The viewer's role may never do this (a worker "
        "booking a worker, a customer accepting a booking, signing up as ADMIN).",
        ErrorCode.INVALID_TRANSITION: "The action is not possible from the "
        "booking's current status, or not yet (`message` says from when).",
        ErrorCode.UNKNOWN_ACTION: "No booking action has this name; use an "
        "`actionName` from `availableActions`.",
        ErrorCode.REASON_REQUIRED: "This action needs a `reason` "
        "(`BookingAction.requiresReason`).",
        ErrorCode.VERSION_CONFLICT: "The booking changed since the client read it "
        "(`expectedVersion` is stale, or another change won a race); nothing was "
        "written. Reload the booking and try again.",
        ErrorCode.SERVICE_NOT_OFFERED: "The worker does not offer this service.",
        ErrorCode.WORKER_UNAVAILABLE: "The worker cannot take a job then: the "
        "time is outside their schedule, or one of their requested, accepted or "
        "in-progress bookings overlaps it (requestBooking; and accept, for a "
        "worker who already holds an overlapping job). `Worker.availableSlots` "
        "lists the starts that can be booked.",
        ErrorCode.UNKNOWN_SERVICE: "Not a key of the `services` catalogue.",
        ErrorCode.QUERY_TOO_SHORT: "An address search needs at least 3 characters "
        "(addressSuggestions, so in query errors' `extensions.code`).",
        ErrorCode.ADDRESS_LOOKUP_UNAVAILABLE: "The address service is not "
        "configured or did not answer; try again later (addressSuggestions).",
        ErrorCode.RATE_LIMITED: "Too many attempts (sign-ins, address lookups); "
        "`message` says how long to wait.",
        ErrorCode.INVALID_ADDRESS_TOKEN: "The address token is not one of ours or "
        "has expired (after 24 hours); choose the address again from "
        "`addressSuggestions`.",
        ErrorCode.OUTSIDE_SERVICE_AREA: "The address is outside the worker's "
        "service area (or the worker has set none).",
        ErrorCode.UNSUPPORTED_FILE_TYPE: "This content type is not accepted for "
        "the upload's purpose.",
        ErrorCode.FILE_TOO_LARGE: "The file is larger than its purpose allows "
        "(10 MB for images, 20 MB for documents by default).",
        ErrorCode.UPLOAD_MISMATCH: "The uploaded object is not the size or type "
        "that was declared; it was deleted. Start a new upload.",
        ErrorCode.UPLOAD_NOT_FOUND: "No such upload of the viewer's, or its bytes "
        "have not arrived yet: PUT them to `uploadUrl` first.",
        ErrorCode.FILE_STORAGE_UNAVAILABLE: "File storage is not configured or did "
        "not answer; nothing was changed. Try again later.",
        ErrorCode.PAYMENT_DECLINED: "The card was declined; ask for another card.",
        ErrorCode.PAYMENT_FAILED: "Stripe refused the call for another reason; "
        "`message` says what (it may need support to resolve).",
        ErrorCode.PAYMENT_METHOD_REQUIRED: "requestBooking needs a "
        "`paymentMethodId` while payments are on.",
        ErrorCode.DUPLICATE_REQUEST: "An identical booking request is being "
        "processed; look for it in the viewer's bookings in a moment.",
        ErrorCode.RATE_NOT_SET: "The worker has not set an hourly rate, so the "
        "booking cannot be priced.",
        ErrorCode.PAYMENTS_UNAVAILABLE: "Stripe is not configured or did not "
        "answer; nothing was charged. Try again later.",
        ErrorCode.REVIEW_NOT_OPEN: "The booking cannot be reviewed now: the job "
        "is not completed yet, or its 14-day review period is over "
        "(submitBookingReview).",
        ErrorCode.ALREADY_REVIEWED: "The viewer has reviewed this booking already; "
        "a review is final (submitBookingReview).",
        ErrorCode.SUBSCRIPTION_DROPPED: "A live subscription fell too far behind "
        "(or the server lost its place in the event log) and was ended: "
        "subscribe again with `after` set to the last `cursor` received.",
    }
)

expose(
    ErrorCode,
    name="UserErrorCode",
    description=(
        "Why a mutation refused its input: the stable, machine-readable part of "
        "a `UserError`. New values may be added at any time; a client must "
        "treat a value it does not know as a generic failure and show the "
        "`message`, just as it tolerates unknown `actionName`s. Query errors "
        "carry the same codes as the String `extensions.code`, beside the "
        "protocol's own (`GRAPHQL_VALIDATION_FAILED`, `INTERNAL`, ...)."
    ),
    values=CODE_DESCRIPTIONS,
)

# What a code the schema does not know becomes (never expected: the domain's
# errors are typed, but a bad value must not take the whole payload down).
FALLBACK_CODE = ErrorCode.INVALID


@strawberry.type(description="An expected failure the client can act on.")
class UserError:
    field: str | None = strawberry.field(
        description=(
            "The input field at fault, as a camelCase path from the mutation's "
            "input (e.g. `scheduledStart`, `filter.addressToken`), or null when "
            "the failure is about the request as a whole."
        )
    )
    code: ErrorCode = strawberry.field(
        description="What went wrong, for code to branch on (see `UserErrorCode`)."
    )
    message: str = strawberry.field(
        description="What went wrong, in English, fit to show the person."
    )

    @classmethod
    def from_data(cls, error: UserErrorData) -> UserError:
        return cls(field=error.field, code=_known(error.code), message=error.message)


def _known(code: str) -> ErrorCode:
    try:
        return ErrorCode(code)
    except ValueError:
        log.error(  # noqa: TRY400 - a bug to fix, but not one worth a traceback
            "user error code %r is not in UserErrorCode; sent as %s",
            code,
            FALLBACK_CODE.value,
        )
        return FALLBACK_CODE


def errors_field(why_not: str) -> Any:
    """A mutation payload's `errors` field; `why_not` says what an error there
    means for this mutation (e.g. "Why nothing was saved")."""
    return strawberry.field(description=f"{why_not}; empty on success.")


def user_errors(errors: list[UserErrorData]) -> list[UserError]:
    # Logged even when the client does not select `errors { code }`.
    record_error_codes(str(e.code) for e in errors)
    return [UserError.from_data(e) for e in errors]


class CodedGraphQLError(GraphQLError):
    """A request-level GraphQL error whose `extensions.code` is `code`."""

    def __init__(self, message: str, code: str) -> None:
        super().__init__(message, extensions={"code": code})
