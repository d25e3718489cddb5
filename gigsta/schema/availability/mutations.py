"""Availability's mutations: the signed-in worker edits their own schedule."""

from __future__ import annotations

from datetime import datetime

import strawberry

from gigsta.domain.availability import (
    MAX_EXCEPTIONS,
    MAX_NOTE_LENGTH,
    MAX_WEEKLY_INTERVALS,
    ExceptionKind,
    Weekday,
)
from gigsta.resolvers import availability
from gigsta.schema.availability.types import Availability, worker_availability
from gigsta.schema.core.context import Info
from gigsta.schema.core.errors import UserError, errors_field, user_errors
from gigsta.schema.core.mutations import mutation, perform
from gigsta.schema.payloads import result_field


@strawberry.input(description="One weekly opening, in the worker's wall-clock time.")
class WeeklyIntervalInput:
    weekday: Weekday = strawberry.field(description="The day the interval starts.")
    start: str = strawberry.field(description="`HH:MM`, 00:00 to 23:59.")
    end: str = strawberry.field(
        description="`HH:MM`, 00:00 to 24:00; at or before `start`: the next day. "
        "Not equal to `start` (00:00 to 24:00 is the whole day)."
    )


@strawberry.input(description="The signed-in worker's whole week, replacing the old.")
class SetWeeklyScheduleInput:
    time_zone: str = strawberry.field(
        description="An IANA zone the week is read in, e.g. `Pacific/Auckland` or "
        "`Australia/Sydney` (INVALID otherwise); daylight saving follows it."
    )
    intervals: list[WeeklyIntervalInput] = strawberry.field(
        description=f"At most {MAX_WEEKLY_INTERVALS}; overlapping ones join. "
        "Empty: bookable only in extra hours."
    )


@strawberry.input(description="Time off or extra hours for the signed-in worker.")
class AddAvailabilityExceptionInput:
    kind: ExceptionKind = strawberry.field(description="Time off or extra hours.")
    start: datetime = strawberry.field(description="When it begins (with an offset).")
    end: datetime = strawberry.field(
        description="When it ends, after `start`, in the future, at most 62 days on."
    )
    note: str = strawberry.field(
        default="",
        description=f"For the worker's own records, at most {MAX_NOTE_LENGTH} "
        f"characters. A worker keeps at most {MAX_EXCEPTIONS} exceptions.",
    )


@strawberry.input(description="The exception to remove.")
class RemoveAvailabilityExceptionInput:
    exception_id: strawberry.ID = strawberry.field(
        description="An `AvailabilityException.id` (NOT_FOUND otherwise)."
    )


@strawberry.type(description="The result of an availability edit.")
class AvailabilityPayload:
    availability: Availability | None = result_field("The schedule as saved")
    errors: list[UserError] = errors_field("Why nothing was saved")


def _payload(
    info: Info, result: availability.AvailabilityResult
) -> AvailabilityPayload:
    saved = result.worker
    return AvailabilityPayload(
        availability=worker_availability(info, saved) if saved else None,
        errors=user_errors(result.errors),
    )


@strawberry.type
class AvailabilityMutation:
    @mutation(
        "Set the signed-in worker's weekly schedule (workers only: NOT_ALLOWED "
        "otherwise). Bookings already made stay.",
        "The new week.",
    )
    async def set_weekly_schedule(
        self, info: Info, input: SetWeeklyScheduleInput
    ) -> AvailabilityPayload:
        result = await availability.set_weekly_schedule(
            info.context.viewer,
            time_zone=input.time_zone.strip(),
            intervals=[(int(i.weekday), i.start, i.end) for i in input.intervals],
            now=info.context.now,
        )
        return _payload(info, result)

    @mutation(
        "Add time off or extra hours to the signed-in worker's schedule (without "
        "a schedule yet: the week is empty, in their country's main zone).",
        "The exception to add.",
    )
    async def add_availability_exception(
        self, info: Info, input: AddAvailabilityExceptionInput
    ) -> AvailabilityPayload:
        result = await perform(info, availability.add_exception, input)
        return _payload(info, result)

    @mutation(
        "Remove one of the signed-in worker's exceptions.", "The exception to remove."
    )
    async def remove_availability_exception(
        self, info: Info, input: RemoveAvailabilityExceptionInput
    ) -> AvailabilityPayload:
        result = await availability.remove_exception(
            info.context.viewer,
            exception_id=str(input.exception_id),
            now=info.context.now,
        )
        return _payload(info, result)
