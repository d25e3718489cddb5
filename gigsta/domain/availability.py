"""When a worker can be booked (pure: interval maths and wall-clock time).

A worker's schedule is a week of wall-clock intervals in the worker's own IANA
time zone, plus dated exceptions (time off, extra hours) that are absolute
instants. Everything here works on half-open UTC intervals `[start, end)`, so
a booking ending at 12:00 and one starting at 12:00 do not overlap.

Wall-clock times are turned into instants with `zoneinfo` (PEP 495):

- an interval may cross midnight: `22:00-02:00` on Friday ends on Saturday;
  `00:00-24:00` is the whole day;
- a wall time that does not exist (the hour skipped when daylight saving
  starts) is read with the offset in force before the jump, so `02:00` on that
  day in Auckland or Sydney is 03:00 daylight time and `02:30` is 03:30;
- a wall time that happens twice (the hour repeated when daylight saving ends)
  is its first occurrence.

So an interval keeps its wall-clock ends across a switch, and its length in
real time is what the clock on the wall says: `01:00-05:00` is three hours on
the day the clocks go forward and five on the day they go back.

A worker who has never set a schedule is always available (only their own
bookings make them busy): that keeps every worker who signed up before
availability existed bookable, as they were.
"""

from __future__ import annotations

import functools
import re
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from enum import IntEnum, StrEnum
from zoneinfo import ZoneInfo, available_timezones

from gigsta.domain.bookings.rules import BookingStatus
from gigsta.domain.core import ErrorCode, UserError

MINUTES_PER_DAY = 24 * 60
# The bookings that hold a worker's time; any other status frees it. A
# booking waiting for 3-D Secure holds it too (it expires within 30 minutes).
HOLDING_STATUSES: frozenset[BookingStatus] = frozenset(
    {
        BookingStatus.PENDING_PAYMENT,
        BookingStatus.REQUESTED,
        BookingStatus.ACCEPTED,
        BookingStatus.IN_PROGRESS,
    }
)
# `availableSlots`: starts on the half hour of the worker's wall clock.
SLOT_STEP_MINUTES = 30
MAX_SLOT_WINDOW = timedelta(days=31)
MAX_SLOTS = 500
MIN_DURATION_MINUTES = 15
MAX_DURATION_MINUTES = MINUTES_PER_DAY
MAX_WEEKLY_INTERVALS = 50
MAX_EXCEPTIONS = 100
MAX_EXCEPTION_LENGTH = timedelta(days=62)
MAX_NOTE_LENGTH = 200
# How far from now any time given to availability may be (bookings reach a
# year ahead); further is refused rather than computed.
MAX_REACH = timedelta(days=800)
_WALL_TIME = re.compile(r"^([01]\d|2[0-4]):([0-5]\d)$")


class Weekday(IntEnum):
    """As `date.weekday()` counts them."""

    MONDAY = 0
    TUESDAY = 1
    WEDNESDAY = 2
    THURSDAY = 3
    FRIDAY = 4
    SATURDAY = 5
    SUNDAY = 6


class ExceptionKind(StrEnum):
    TIME_OFF = "time_off"  # not bookable, whatever the week says
    EXTRA_HOURS = "extra_hours"  # bookable, whatever the week says


@dataclass(frozen=True, slots=True, order=True)
class Interval:
    """A half-open span of time `[start, end)` (aware datetimes)."""

    start: datetime
    end: datetime

    def overlaps(self, other: Interval) -> bool:
        return self.start < other.end and other.start < self.end

    def contains(self, other: Interval) -> bool:
        return self.start <= other.start and other.end <= self.end


@dataclass(frozen=True, slots=True)
class WeeklyInterval:
    """Open every `weekday` (0 = Monday) from `start_minute` past local
    midnight to `end_minute`; an end at or before the start is the next day."""

    weekday: int
    start_minute: int
    end_minute: int

    @property
    def crosses_midnight(self) -> bool:
        return self.end_minute <= self.start_minute


@dataclass(frozen=True, slots=True)
class ScheduleException:
    kind: ExceptionKind
    span: Interval


@dataclass(frozen=True, slots=True)
class Schedule:
    time_zone: str
    weekly: tuple[WeeklyInterval, ...]
    exceptions: tuple[ScheduleException, ...] = ()


def wall_clock(day: date, minute: int, zone: ZoneInfo) -> datetime:
    """The instant (UTC) the wall clock in `zone` shows `minute` past midnight
    of `day` (see the module docstring for skipped and repeated times)."""
    # Adding to an aware datetime is wall-clock arithmetic (fold stays 0).
    local = datetime(day.year, day.month, day.day, tzinfo=zone)
    return (local + timedelta(minutes=minute)).astimezone(UTC)


def merge(intervals: list[Interval]) -> list[Interval]:
    """The union, sorted; touching intervals join into one."""
    merged: list[Interval] = []
    for interval in sorted(intervals):
        if merged and interval.start <= merged[-1].end:
            last = merged[-1]
            merged[-1] = Interval(last.start, max(last.end, interval.end))
        else:
            merged.append(interval)
    return merged


def subtract(intervals: list[Interval], removed: list[Interval]) -> list[Interval]:
    """`intervals` (merged) without any instant of `removed`."""
    cuts = merge(removed)
    result: list[Interval] = []
    for interval in intervals:
        start = interval.start
        for cut in cuts:
            if cut.end <= start or cut.start >= interval.end:
                continue
            if cut.start > start:
                result.append(Interval(start, cut.start))
            start = max(start, cut.end)
        if start < interval.end:
            result.append(Interval(start, interval.end))
    return result


def weekly_spans(schedule: Schedule, window: Interval) -> list[Interval]:
    """The weekly intervals that touch `window`, as instants (merged).

    Starts a day before the window's first local date, so an interval that
    crosses midnight into the window is counted.
    """
    zone = ZoneInfo(schedule.time_zone)
    day = window.start.astimezone(zone).date() - timedelta(days=1)
    last = window.end.astimezone(zone).date()
    spans: list[Interval] = []
    while day <= last:
        for weekly in schedule.weekly:
            if weekly.weekday != day.weekday():
                continue
            end_day = day + timedelta(days=1) if weekly.crosses_midnight else day
            span = Interval(
                wall_clock(day, weekly.start_minute, zone),
                wall_clock(end_day, weekly.end_minute, zone),
            )
            if span.start < span.end and span.overlaps(window):
                spans.append(span)
        day += timedelta(days=1)
    return merge(spans)


def open_time(schedule: Schedule | None, window: Interval) -> list[Interval]:
    """When the schedule says the worker works, within `window` (merged).

    The week, plus extra hours, minus time off (time off wins).
    No schedule: the whole window.
    """
    if schedule is None:
        return [window]
    extra = [e.span for e in schedule.exceptions if e.kind is ExceptionKind.EXTRA_HOURS]
    off = [e.span for e in schedule.exceptions if e.kind is ExceptionKind.TIME_OFF]
    spans = subtract(merge([*weekly_spans(schedule, window), *extra]), off)
    return clip(spans, window)


def clip(intervals: list[Interval], window: Interval) -> list[Interval]:
    return [
        Interval(max(i.start, window.start), min(i.end, window.end))
        for i in intervals
        if i.overlaps(window)
    ]


def free_time(
    schedule: Schedule | None, busy: list[Interval], window: Interval
) -> list[Interval]:
    """Open and not taken by a holding booking, within `window`."""
    return subtract(open_time(schedule, window), busy)


def unavailable_reason(
    schedule: Schedule | None, busy: list[Interval], wanted: Interval
) -> str | None:
    """Why `wanted` cannot be booked, or None when it can."""
    if not any(span.contains(wanted) for span in open_time(schedule, wanted)):
        return "The worker does not work at that time. See `availableSlots`."
    if any(b.overlaps(wanted) for b in busy):
        return "The worker is already booked at that time. See `availableSlots`."
    return None


def _next_grid_point(instant: datetime, zone: ZoneInfo) -> datetime:
    """The first instant at or after `instant` whose wall clock shows a
    multiple of `SLOT_STEP_MINUTES`."""
    local = instant.astimezone(zone)
    past = (local.minute % SLOT_STEP_MINUTES) * 60 + local.second
    if past == 0 and local.microsecond == 0:
        return instant
    return (
        instant
        + timedelta(seconds=SLOT_STEP_MINUTES * 60 - past)
        - timedelta(microseconds=local.microsecond)
    )


def slot_starts(
    free: list[Interval],
    *,
    window: Interval,
    duration: timedelta,
    time_zone: str,
) -> list[datetime]:
    """Bookable starts in `window`: on the worker's half hour, with the whole
    `duration` free. `free` must cover `window` extended by `duration`."""
    zone = ZoneInfo(time_zone)
    step = timedelta(minutes=SLOT_STEP_MINUTES)
    starts: list[datetime] = []
    for span in free:
        start = _next_grid_point(max(span.start, window.start), zone)
        while start + duration <= span.end and start < window.end:
            starts.append(start)
            if len(starts) >= MAX_SLOTS:
                return starts
            start += step
    return starts


def moment_errors(field: str, moment: datetime, now: datetime) -> list[UserError]:
    """A time from a client: it needs a UTC offset and must be within reach."""
    if moment.tzinfo is None or moment.utcoffset() is None:
        message = "Give times with a UTC offset, e.g. 2026-12-01T09:00:00+13:00."
        return [UserError(field, ErrorCode.INVALID, message)]
    if abs(moment - now) > MAX_REACH:
        return [UserError(field, ErrorCode.INVALID, "That time is too far away.")]
    return []


def slot_window_errors(window: Interval, duration_minutes: int) -> list[UserError]:
    """`availableSlots` arguments that cannot be answered."""
    errors: list[UserError] = []
    if not window.start < window.end:
        errors.append(UserError("to", ErrorCode.INVALID, "`to` must be after `from`."))
    elif window.end - window.start > MAX_SLOT_WINDOW:
        errors.append(
            UserError("to", ErrorCode.INVALID, "Ask for at most 31 days at a time.")
        )
    if not MIN_DURATION_MINUTES <= duration_minutes <= MAX_DURATION_MINUTES:
        errors.append(
            UserError(
                "durationMinutes",
                ErrorCode.INVALID,
                f"Give a duration of {MIN_DURATION_MINUTES} to "
                f"{MAX_DURATION_MINUTES} minutes.",
            )
        )
    return errors


def parse_wall_time(text: str, *, end: bool) -> int | None:
    """`HH:MM` as minutes past midnight; `24:00` only as an end."""
    match = _WALL_TIME.match(text.strip())
    if match is None:
        return None
    minute = int(match[1]) * 60 + int(match[2])
    limit = MINUTES_PER_DAY if end else MINUTES_PER_DAY - 1
    return minute if minute <= limit else None


def parse_weekly(
    entries: list[tuple[int, str, str]],
) -> tuple[list[WeeklyInterval], list[UserError]]:
    """`(weekday, "HH:MM", "HH:MM")` entries as weekly intervals, or errors."""
    if len(entries) > MAX_WEEKLY_INTERVALS:
        message = f"At most {MAX_WEEKLY_INTERVALS} intervals."
        return [], [UserError("intervals", ErrorCode.TOO_LONG, message)]
    intervals: list[WeeklyInterval] = []
    errors: list[UserError] = []
    for index, (weekday, start_text, end_text) in enumerate(entries):
        start = parse_wall_time(start_text, end=False)
        end = parse_wall_time(end_text, end=True)
        if start is None or end is None:
            message = "Give times as HH:MM, from 00:00 (24:00 only as an end)."
            field = "start" if start is None else "end"
            errors.append(
                UserError(f"intervals.{index}.{field}", ErrorCode.INVALID, message)
            )
        elif end % MINUTES_PER_DAY == start and end != MINUTES_PER_DAY:
            errors.append(
                UserError(
                    f"intervals.{index}.end",
                    ErrorCode.INVALID,
                    "An interval must not end where it starts "
                    "(00:00-24:00 is the whole day).",
                )
            )
        else:
            intervals.append(WeeklyInterval(weekday, start, end))
    return intervals, errors


def format_wall_time(minute: int) -> str:
    return f"{minute // 60:02d}:{minute % 60:02d}"


@functools.cache
def _known_zones() -> frozenset[str]:
    return frozenset(available_timezones())


def time_zone_errors(time_zone: str) -> list[UserError]:
    """Only names of the IANA database (as `zoneinfo` has it) are zones; a
    path, a directory of the database or an over-long name is not."""
    if time_zone in _known_zones():
        return []
    return [
        UserError(
            "timeZone",
            ErrorCode.INVALID,
            "Give an IANA time zone, e.g. Pacific/Auckland.",
        )
    ]


def exception_errors(span: Interval, *, now: datetime, count: int) -> list[UserError]:
    """A new exception `span`, the worker already having `count` of them."""
    if not span.start < span.end:
        return [UserError("end", ErrorCode.INVALID, "`end` must be after `start`.")]
    if span.end - span.start > MAX_EXCEPTION_LENGTH:
        return [UserError("end", ErrorCode.INVALID, "At most 62 days at a time.")]
    if span.end <= now:
        return [UserError("end", ErrorCode.INVALID, "The time is already past.")]
    if count >= MAX_EXCEPTIONS:
        return [
            UserError(
                None,
                ErrorCode.TOO_LONG,
                f"At most {MAX_EXCEPTIONS} exceptions; remove some first.",
            )
        ]
    return []
