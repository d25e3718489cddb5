"""`performBookingAction`: decide with the action table, then run it."""

from __future__ import annotations

from typing import TYPE_CHECKING

from gigsta.documents import Booking, Worker
from gigsta.domain.availability import Interval
from gigsta.domain.bookings.actions import BookingStatus, Rejection, decide
from gigsta.domain.core import ErrorCode, UserError
from gigsta.resolvers.availability import hold_time
from gigsta.resolvers.bookings.queries import party_booking
from gigsta.resolvers.bookings.requests import BookingResult
from gigsta.resolvers.payments.executor import run_transition

if TYPE_CHECKING:
    from datetime import datetime

    from gigsta.domain.accounts import Viewer
    from gigsta.resolvers.payments.config import Payments


def _version_conflict(booking: Booking | None, message: str) -> BookingResult:
    return BookingResult(
        booking=booking,
        errors=[UserError("expectedVersion", ErrorCode.VERSION_CONFLICT, message)],
    )


async def perform_booking_action(  # noqa: PLR0911 - one return per expected failure
    viewer: Viewer | None,
    *,
    booking_id: str,
    action: str,
    expected_version: int,
    reason: str | None,
    now: datetime,
    payments: Payments | None = None,
) -> BookingResult:
    found = await party_booking(viewer, booking_id)
    if isinstance(found, UserError):
        return BookingResult(errors=[found])
    viewer, booking, role = found
    decision = decide(
        booking.facts(), action, role, now, actor_id=viewer.user_id, reason=reason
    )
    if isinstance(decision, Rejection):
        return BookingResult(
            booking=booking,
            errors=[UserError(decision.field, decision.code, decision.message)],
        )
    if expected_version != booking.version:
        return _version_conflict(
            booking,
            f"The booking changed (now version {booking.version}). "
            "Reload it and try again.",
        )
    if decision.event.to_status is BookingStatus.ACCEPTED and not booking.time_claimed:
        refusal = await _hold_for_accept(booking, now)
        if refusal is not None:
            return BookingResult(booking=booking, errors=[refusal])
    outcome = await run_transition(
        payments.gateway if payments else None, booking, decision, now
    )
    if outcome.errors:
        return BookingResult(booking=outcome.booking, errors=outcome.errors)
    if outcome.booking is None:
        return _version_conflict(
            await Booking.get(booking.id),
            "Someone else changed the booking at the same moment. "
            "Reload it and try again.",
        )
    return BookingResult(booking=outcome.booking)


async def _hold_for_accept(booking: Booking, now: datetime) -> UserError | None:
    """A worker commits to one job at a time: accepting claims the booking's
    time. Only for a booking whose request did not (one stored before
    availability existed: two such requests may overlap); a request's own
    claim stays while it holds time, so accepting it writes nothing more."""
    worker = await Worker.get(booking.worker_id)
    if worker is None or booking.id is None:
        return None
    refusal = await hold_time(
        worker,
        booking.id,
        Interval(booking.scheduled_start, booking.scheduled_end),
        now=now,
        check_schedule=False,
    )
    if refusal is None:
        return None
    return UserError(
        "bookingId",
        ErrorCode.WORKER_UNAVAILABLE,
        "You already have a booking that overlaps this one.",
    )
