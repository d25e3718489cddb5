"""Rules for a booking's time window and description."""

from __future__ import annotations

from datetime import datetime, timedelta

from gigsta.domain.errors import ErrorCode, UserError

MAX_DESCRIPTION_LENGTH = 2000
MAX_BOOKING_DURATION = timedelta(hours=12)
MAX_BOOKING_HORIZON = timedelta(days=365)


def validate_window(start: datetime, end: datetime, now: datetime) -> list[UserError]:
    if start.tzinfo is None or end.tzinfo is None:
        return [
            UserError(
                "scheduledStart",
                ErrorCode.INVALID,
                "Give times with a UTC offset, e.g. 2026-12-01T09:00:00+13:00.",
            )
        ]
    errors: list[UserError] = []
    if start <= now:
        errors.append(
            UserError(
                "scheduledStart", ErrorCode.INVALID, "The start must be in the future."
            )
        )
    elif start > now + MAX_BOOKING_HORIZON:
        errors.append(
            UserError(
                "scheduledStart",
                ErrorCode.INVALID,
                "Bookings can be made at most a year ahead.",
            )
        )
    if end <= start:
        errors.append(
            UserError(
                "scheduledEnd", ErrorCode.INVALID, "The end must be after the start."
            )
        )
    elif end - start > MAX_BOOKING_DURATION:
        errors.append(
            UserError(
                "scheduledEnd",
                ErrorCode.INVALID,
                "A booking can last at most 12 hours.",
            )
        )
    return errors


def validate_description(description: str) -> list[UserError]:
    text = description.strip()
    if not text:
        return [UserError("description", ErrorCode.INVALID, "Describe the job.")]
    if len(text) > MAX_DESCRIPTION_LENGTH:
        return [
            UserError(
                "description",
                ErrorCode.INVALID,
                f"Use at most {MAX_DESCRIPTION_LENGTH} characters.",
            )
        ]
    return []
