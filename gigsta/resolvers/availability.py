"""Availability: edit a worker's schedule, list bookable starts, and hold a
worker's time for a booking (the guard against double booking).

Holding time (`hold_time`) is what `requestBooking` and `accept` do before
anything else: check the schedule, then claim the time on the worker's
calendar with one conditional update (why that guard, in
`gigsta.documents.availability`). Claims left behind by a request that died
half way, or by a booking whose release was not written, are recognised here
(their booking is missing past the grace period, or no longer holds time),
dropped, and the claim is tried again.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import TYPE_CHECKING

from gigsta.documents import Booking, Worker
from gigsta.documents.availability import (
    CLAIM_GRACE,
    AvailabilityExceptionDoc,
    WeeklyIntervalDoc,
    WorkerAvailability,
    claim_time,
    drop_claims,
    holding_filter,
)
from gigsta.domain import availability as rules
from gigsta.domain.accounts import Role, own_profile_id
from gigsta.domain.availability import HOLDING_STATUSES, ExceptionKind, Interval
from gigsta.domain.core import ClientError, ErrorCode, UserError
from gigsta.domain.time_zones import COUNTRY_TIME_ZONES
from gigsta.resolvers.core.ids import parse_object_id

if TYPE_CHECKING:
    from beanie import PydanticObjectId

    from gigsta.documents.availability import TimeClaim
    from gigsta.domain.accounts import Viewer

_CLAIM_ATTEMPTS = 3
_ONLY_WORKERS = "Only workers have a schedule."


@dataclass
class AvailabilityResult:
    worker: Worker | None = None
    errors: list[UserError] = field(default_factory=list)


def unavailable(message: str, field_name: str | None = None) -> UserError:
    return UserError(field_name, ErrorCode.WORKER_UNAVAILABLE, message)


def worker_time_zone(worker: Worker) -> str:
    """The zone a worker's wall clock is read in (their schedule's, or their
    country's main zone until they set one)."""
    if worker.availability is not None:
        return worker.availability.time_zone
    return COUNTRY_TIME_ZONES[worker.country]


async def busy_time(worker_id: PydanticObjectId, window: Interval) -> list[Interval]:
    """The worker's holding bookings that overlap `window`."""
    docs = await Booking.find(holding_filter(worker_id, window)).to_list()
    return [Interval(b.scheduled_start, b.scheduled_end) for b in docs]


async def _leftovers(claims: list[TimeClaim], now: datetime) -> list[TimeClaim]:
    """The claims that hold nothing any more (see the module docstring)."""
    ids = [c.booking_id for c in claims]
    bookings = {b.id: b for b in await Booking.find({"_id": {"$in": ids}}).to_list()}
    leftovers = []
    for claim in claims:
        booking = bookings.get(claim.booking_id)
        if booking is None:
            if claim.at <= now - CLAIM_GRACE:
                leftovers.append(claim)
        elif booking.status not in HOLDING_STATUSES:
            leftovers.append(claim)
    return leftovers


async def hold_time(
    worker: Worker,
    booking_id: PydanticObjectId,
    span: Interval,
    *,
    now: datetime,
    check_schedule: bool = True,
) -> UserError | None:
    """Claim `span` of the worker's time for the booking, or say why not.

    `check_schedule=False` for a worker accepting a request: they may take
    work outside the hours they publish, but never two jobs at once (the
    claim alone decides, so of two overlapping requests one can be accepted).
    """
    assert worker.id is not None
    if check_schedule:
        # The bookings themselves too: one stored without a claim (before
        # availability existed, or by the demo seed) still holds its time.
        schedule = worker.availability.to_domain() if worker.availability else None
        busy = await busy_time(worker.id, span)
        reason = rules.unavailable_reason(schedule, busy, span)
        if reason is not None:
            return unavailable(reason, "scheduledStart")
    for _ in range(_CLAIM_ATTEMPTS):
        in_the_way = await claim_time(worker.id, booking_id, span, now=now)
        if not in_the_way:
            return None
        leftovers = await _leftovers(in_the_way, now)
        if len(leftovers) < len(in_the_way):
            break
        await drop_claims(worker.id, leftovers)
    return unavailable(
        f"{worker.name} is already booked at that time. See `availableSlots`.",
        "scheduledStart",
    )


async def available_slots(
    worker: Worker,
    *,
    start: datetime,
    end: datetime,
    duration_minutes: int,
    now: datetime,
) -> list[datetime]:
    """Bookable starts from `start` (not before now) to `end`; ClientError on
    arguments it cannot answer."""
    errors = [
        *rules.moment_errors("from", start, now),
        *rules.moment_errors("to", end, now),
    ]
    errors = errors or rules.slot_window_errors(Interval(start, end), duration_minutes)
    for error in errors:
        raise ClientError(error.code, error.message)
    assert worker.id is not None
    duration = timedelta(minutes=duration_minutes)
    window = Interval(max(start, now), end)
    if window.start >= window.end:
        return []
    reach = Interval(window.start, window.end + duration)
    schedule = worker.availability.to_domain() if worker.availability else None
    free = rules.free_time(schedule, await busy_time(worker.id, reach), reach)
    return rules.slot_starts(
        free, window=window, duration=duration, time_zone=worker_time_zone(worker)
    )


async def unavailable_worker_ids(
    at: datetime, *, now: datetime
) -> list[PydanticObjectId]:
    """Workers who cannot take a job starting at `at`: busy then, or off.

    Schedules are wall-clock rules, so they are evaluated here rather than in
    the query: this reads every worker who has set a schedule (their
    availability only). Fine at today's size; a precomputed week of open
    instants per worker is the step after.
    """
    for error in rules.moment_errors("filter.availableAt", at, now):
        raise ClientError(error.code, error.message)
    moment = Interval(at, at + timedelta(minutes=1))
    busy: list[PydanticObjectId] = await Booking.distinct(
        "worker_id",
        {
            "status": {"$in": sorted(s.value for s in HOLDING_STATUSES)},
            "scheduled_start": {"$lte": at},
            "scheduled_end": {"$gt": at},
        },
    )
    closed = [
        w.id
        for w in await Worker.find({"availability": {"$ne": None}}).to_list()
        if w.id is not None
        and w.availability is not None
        and rules.unavailable_reason(w.availability.to_domain(), [], moment)
    ]
    return [*busy, *closed]


async def _own_worker(viewer: Viewer | None) -> Worker | UserError:
    profile_id = own_profile_id(viewer, Role.WORKER, _ONLY_WORKERS)
    if isinstance(profile_id, UserError):
        return profile_id
    oid = parse_object_id(profile_id)
    worker = await Worker.get(oid) if oid else None
    if worker is None:
        return UserError(None, ErrorCode.NOT_FOUND, "Worker profile not found.")
    return worker


async def _save(worker: Worker, availability: WorkerAvailability) -> None:
    # One `$set` of the schedule alone: a concurrent profile edit stays.
    worker.availability = availability
    await worker.set({"availability": availability.model_dump(mode="python")})


async def set_weekly_schedule(
    viewer: Viewer | None,
    *,
    time_zone: str,
    intervals: list[tuple[int, str, str]],
    now: datetime,
) -> AvailabilityResult:
    """Replace the signed-in worker's week (exceptions stay)."""
    worker = await _own_worker(viewer)
    if isinstance(worker, UserError):
        return AvailabilityResult(errors=[worker])
    weekly, errors = rules.parse_weekly(intervals)
    errors = rules.time_zone_errors(time_zone) + errors
    if errors:
        return AvailabilityResult(errors=errors)
    current = worker.availability
    await _save(
        worker,
        WorkerAvailability(
            time_zone=time_zone,
            weekly=[
                WeeklyIntervalDoc(
                    weekday=w.weekday,
                    start_minute=w.start_minute,
                    end_minute=w.end_minute,
                )
                for w in weekly
            ],
            exceptions=current.exceptions if current else [],
            updated_at=now,
        ),
    )
    return AvailabilityResult(worker=worker)


async def add_exception(
    viewer: Viewer | None,
    *,
    kind: ExceptionKind,
    start: datetime,
    end: datetime,
    note: str,
    now: datetime,
) -> AvailabilityResult:
    """Add time off or extra hours; past exceptions are dropped meanwhile."""
    worker = await _own_worker(viewer)
    if isinstance(worker, UserError):
        return AvailabilityResult(errors=[worker])
    current = worker.availability or WorkerAvailability(
        time_zone=worker_time_zone(worker), updated_at=now
    )
    kept = [e for e in current.exceptions if e.end > now]
    errors = [
        *rules.moment_errors("start", start, now),
        *rules.moment_errors("end", end, now),
    ]
    errors = errors or rules.exception_errors(
        Interval(start, end), now=now, count=len(kept)
    )
    if len(note) > rules.MAX_NOTE_LENGTH:
        message = f"At most {rules.MAX_NOTE_LENGTH} characters."
        errors.append(UserError("note", ErrorCode.TOO_LONG, message))
    if errors:
        return AvailabilityResult(errors=errors)
    added = AvailabilityExceptionDoc(kind=kind, start=start, end=end, note=note.strip())
    await _save(
        worker,
        current.model_copy(update={"exceptions": [*kept, added], "updated_at": now}),
    )
    return AvailabilityResult(worker=worker)


async def remove_exception(
    viewer: Viewer | None, *, exception_id: str, now: datetime
) -> AvailabilityResult:
    worker = await _own_worker(viewer)
    if isinstance(worker, UserError):
        return AvailabilityResult(errors=[worker])
    current = worker.availability
    oid = parse_object_id(exception_id)
    kept = [e for e in current.exceptions if e.id != oid] if current else []
    if current is None or len(kept) == len(current.exceptions):
        return AvailabilityResult(
            errors=[UserError("exceptionId", ErrorCode.NOT_FOUND, "No such exception.")]
        )
    await _save(
        worker, current.model_copy(update={"exceptions": kept, "updated_at": now})
    )
    return AvailabilityResult(worker=worker)
