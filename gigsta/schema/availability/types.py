"""Availability's types: a worker's schedule as the API shows it, and the
`Worker.availability` and `Worker.availableSlots` fields."""

from __future__ import annotations

from datetime import datetime
from typing import TYPE_CHECKING, Annotated

import strawberry

from gigsta.documents.availability import AvailabilityExceptionDoc, WorkerAvailability
from gigsta.domain.accounts import is_self_or_admin
from gigsta.domain.availability import (
    MAX_DURATION_MINUTES,
    MIN_DURATION_MINUTES,
    ExceptionKind,
    Weekday,
    format_wall_time,
)
from gigsta.domain.time_zones import local_time
from gigsta.resolvers import availability
from gigsta.schema.core.context import Info
from gigsta.schema.core.enums import expose
from gigsta.schema.core.fields import doc_field, local_time_field

if TYPE_CHECKING:
    from gigsta.documents import Worker as WorkerDoc

expose(
    Weekday,
    description="A day of the week, in the worker's time zone.",
    values={day: day.name.capitalize() + "." for day in Weekday},
)
expose(
    ExceptionKind,
    name="AvailabilityExceptionKind",
    description="What an exception does to the weekly schedule.",
    values={
        ExceptionKind.TIME_OFF: "Not bookable then, whatever the week says "
        "(time off wins over extra hours).",
        ExceptionKind.EXTRA_HOURS: "Bookable then, whatever the week says.",
    },
)


@strawberry.type(description="One weekly opening, in the worker's wall-clock time.")
class WeeklyInterval:
    weekday: Weekday = strawberry.field(description="The day the interval starts.")
    start: str = strawberry.field(description="`HH:MM`, from 00:00 to 23:59.")
    end: str = strawberry.field(
        description="`HH:MM`; at or before `start`: on the next day (the interval "
        "crosses midnight). `24:00` is the end of the day."
    )


@strawberry.type(description="Time off or extra hours, at fixed instants.")
class AvailabilityException:
    doc: strawberry.Private[AvailabilityExceptionDoc]
    zone: strawberry.Private[str]  # the worker's time zone

    id = doc_field(strawberry.ID, description="Pass to `removeAvailabilityException`.")
    kind = doc_field(ExceptionKind, description="Time off or extra hours.")
    start = local_time_field(description="When it begins, at the worker's offset.")
    end = local_time_field(description="When it ends (exclusive).")
    note = doc_field(str, description="The worker's own note (may be empty).")


@strawberry.type(
    description="When a worker works: a week in their own time zone, and "
    "exceptions. Bookings are refused outside it (WORKER_UNAVAILABLE)."
)
class Availability:
    doc: strawberry.Private[WorkerAvailability]
    show_exceptions: strawberry.Private[bool]

    @strawberry.field(description="The IANA zone the week is read in.")
    def time_zone(self) -> str:
        return self.doc.time_zone

    @strawberry.field(description="The weekly intervals, as the worker set them.")
    def weekly(self) -> list[WeeklyInterval]:
        return [
            WeeklyInterval(
                weekday=Weekday(w.weekday),
                start=format_wall_time(w.start_minute),
                end=format_wall_time(w.end_minute),
            )
            for w in self.doc.weekly
        ]

    @strawberry.field(
        description="Exceptions that have not ended, oldest first: the worker and "
        "admins only (others see an empty list; `availableSlots` reflects them)."
    )
    def exceptions(self, info: Info) -> list[AvailabilityException]:
        if not self.show_exceptions:
            return []
        now = info.context.now
        return [
            AvailabilityException(doc=e, zone=self.doc.time_zone)
            for e in sorted(self.doc.exceptions, key=lambda e: e.start)
            if e.end > now
        ]


def worker_availability(info: Info, worker: WorkerDoc) -> Availability | None:
    """`Worker.availability`: null until the worker sets a schedule."""
    if worker.availability is None:
        return None
    return Availability(
        doc=worker.availability,
        show_exceptions=is_self_or_admin(info.context.viewer, worker.id),
    )


SlotFrom = Annotated[
    datetime,
    strawberry.argument(
        name="from", description="The earliest start (earlier than now counts as now)."
    ),
]
SlotTo = Annotated[
    datetime,
    strawberry.argument(
        description="Starts before this; at most 31 days after `from`."
    ),
]
SlotDuration = Annotated[
    int,
    strawberry.argument(
        description=f"The job's length, {MIN_DURATION_MINUTES} to "
        f"{MAX_DURATION_MINUTES} minutes: the whole of it must be free."
    ),
]


async def worker_available_slots(
    info: Info, worker: WorkerDoc, start: datetime, end: datetime, duration: int
) -> list[datetime]:
    """`Worker.availableSlots`, at the worker's offset."""
    slots = await availability.available_slots(
        worker,
        start=start,
        end=end,
        duration_minutes=duration,
        now=info.context.now,
    )
    zone = availability.worker_time_zone(worker)
    return [local_time(s, zone) for s in slots]
