"""Rules for a booking request: the service, the time window, the description.

`requestBooking` and `priceQuote` check a request with the same `request_errors`.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from gigsta.domain.bookings.limits import (
    MAX_DESCRIPTION_LENGTH,
    MAX_PAYMENT_METHOD_ID_LENGTH,
)
from gigsta.domain.core import ErrorCode, UserError, length_errors, too_long
from gigsta.domain.services import SERVICE_CATALOGUE

MAX_BOOKING_DURATION = timedelta(hours=12)
MAX_BOOKING_HORIZON = timedelta(days=365)


def validate_window(start: datetime, end: datetime, now: datetime) -> list[UserError]:
    naive = [
        UserError(
            field,
            ErrorCode.INVALID,
            "Give times with a UTC offset, e.g. 2026-12-01T09:00:00+13:00.",
        )
        for field, moment in (("scheduledStart", start), ("scheduledEnd", end))
        if moment.tzinfo is None or moment.utcoffset() is None
    ]
    if naive:
        return naive
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
        return [too_long("description", MAX_DESCRIPTION_LENGTH)]
    return []


def validate_payment_method(payment_method_id: str | None) -> list[UserError]:
    return length_errors(
        "paymentMethodId", payment_method_id, MAX_PAYMENT_METHOD_ID_LENGTH
    )


@dataclass(frozen=True, slots=True)
class WorkerOffer:
    """What a request is checked against: the worker's name and services."""

    name: str
    services: frozenset[str]


WORKER_NOT_FOUND = UserError("workerId", ErrorCode.NOT_FOUND, "Worker not found.")


def service_errors(worker: WorkerOffer | None, service: str) -> list[UserError]:
    """The service must be in the catalogue and offered by the worker."""
    if service not in SERVICE_CATALOGUE:
        return [
            UserError(
                "service",
                ErrorCode.UNKNOWN_SERVICE,
                "Unknown service. Choose one from the `services` query.",
            ),
            *([] if worker else [WORKER_NOT_FOUND]),
        ]
    if worker is None:
        return [WORKER_NOT_FOUND]
    if service not in worker.services:
        return [
            UserError(
                "service",
                ErrorCode.SERVICE_NOT_OFFERED,
                f"{worker.name} does not offer {SERVICE_CATALOGUE[service]}.",
            )
        ]
    return []


def request_errors(
    worker: WorkerOffer | None,
    *,
    service: str,
    start: datetime,
    end: datetime,
    now: datetime,
) -> list[UserError]:
    """Everything about a request that does not need the database."""
    return [*validate_window(start, end, now), *service_errors(worker, service)]
