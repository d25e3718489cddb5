"""Expected failures, as data (the schema turns them into `UserError`)."""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum


class ErrorCode(StrEnum):
    """Every expected failure's code: `UserError.code` in a mutation's payload,
    `extensions.code` of a query's error. Published as `UserErrorCode`, so a
    new member needs its description in `gigsta/schema/core/errors.py`."""

    BAD_USER_INPUT = "BAD_USER_INPUT"
    INVALID = "INVALID"
    TOO_LONG = "TOO_LONG"  # a string over its maximum length, or a list over its count
    INVALID_EMAIL = "INVALID_EMAIL"
    PASSWORD_TOO_SHORT = "PASSWORD_TOO_SHORT"
    EMAIL_TAKEN = "EMAIL_TAKEN"
    INVALID_CREDENTIALS = "INVALID_CREDENTIALS"
    UNAUTHENTICATED = "UNAUTHENTICATED"
    # The database could not be reached or did not answer in time: try again.
    DATABASE_UNAVAILABLE = "DATABASE_UNAVAILABLE"
    NOT_FOUND = "NOT_FOUND"
    NOT_ALLOWED = "NOT_ALLOWED"
    INVALID_TRANSITION = "INVALID_TRANSITION"
    UNKNOWN_ACTION = "UNKNOWN_ACTION"
    REASON_REQUIRED = "REASON_REQUIRED"
    VERSION_CONFLICT = "VERSION_CONFLICT"
    SERVICE_NOT_OFFERED = "SERVICE_NOT_OFFERED"
    # Availability: outside the worker's schedule, or their time is taken.
    WORKER_UNAVAILABLE = "WORKER_UNAVAILABLE"
    UNKNOWN_SERVICE = "UNKNOWN_SERVICE"
    # Places and files
    QUERY_TOO_SHORT = "QUERY_TOO_SHORT"
    ADDRESS_LOOKUP_UNAVAILABLE = "ADDRESS_LOOKUP_UNAVAILABLE"
    RATE_LIMITED = "RATE_LIMITED"
    INVALID_ADDRESS_TOKEN = "INVALID_ADDRESS_TOKEN"
    OUTSIDE_SERVICE_AREA = "OUTSIDE_SERVICE_AREA"
    UNSUPPORTED_FILE_TYPE = "UNSUPPORTED_FILE_TYPE"
    FILE_TOO_LARGE = "FILE_TOO_LARGE"
    UPLOAD_MISMATCH = "UPLOAD_MISMATCH"
    UPLOAD_NOT_FOUND = "UPLOAD_NOT_FOUND"
    FILE_STORAGE_UNAVAILABLE = "FILE_STORAGE_UNAVAILABLE"
    # Payments
    PAYMENT_DECLINED = "PAYMENT_DECLINED"
    PAYMENT_FAILED = "PAYMENT_FAILED"
    PAYMENT_METHOD_REQUIRED = "PAYMENT_METHOD_REQUIRED"
    DUPLICATE_REQUEST = "DUPLICATE_REQUEST"
    RATE_NOT_SET = "RATE_NOT_SET"
    PAYMENTS_UNAVAILABLE = "PAYMENTS_UNAVAILABLE"
    # Reviews
    REVIEW_NOT_OPEN = "REVIEW_NOT_OPEN"
    ALREADY_REVIEWED = "ALREADY_REVIEWED"
    # Live updates
    SUBSCRIPTION_DROPPED = "SUBSCRIPTION_DROPPED"


@dataclass(frozen=True, slots=True)
class UserError:
    """An expected failure the client can act on. `field` is the input path."""

    field: str | None
    code: ErrorCode
    message: str


def too_long(field: str | None, limit: int, unit: str = "characters") -> UserError:
    """The error for a string longer than `limit` (or a list with more items)."""
    return UserError(field, ErrorCode.TOO_LONG, f"Use at most {limit} {unit}.")


def length_errors(field: str, value: str | None, limit: int) -> list[UserError]:
    """`TOO_LONG` on `field` when `value` has more than `limit` characters."""
    if value is not None and len(value) > limit:
        return [too_long(field, limit)]
    return []


class ClientError(Exception):
    """An expected failure of a query (not a mutation, whose failures are data).

    The schema reports it as a GraphQL error with `extensions.code` and its
    message unmasked; any other exception is masked as an internal error.
    """

    def __init__(self, code: ErrorCode, message: str) -> None:
        super().__init__(message)
        self.code = code
        self.message = message
