"""Availability rules, table-driven: wall-clock schedules across daylight
saving in Auckland and Sydney, intervals crossing midnight, exceptions, and
overlaps with bookings (touching is allowed, one minute more is not)."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

from gigsta.domain.availability import (
    ExceptionKind,
    Interval,
    Schedule,
    ScheduleException,
    Weekday,
    free_time,
    open_time,
    parse_weekly,
    slot_starts,
    unavailable_reason,
)
from gigsta.domain.core import ErrorCode

NZ, NSW = "Pacific/Auckland", "Australia/Sydney"


def at(zone: str, text: str) -> datetime:
    """A wall-clock time in `zone` (first occurrence), as an instant."""
    return datetime.fromisoformat(text).replace(tzinfo=ZoneInfo(zone)).astimezone(UTC)


def week(zone: str, *entries: tuple[Weekday, str, str], exceptions=()) -> Schedule:
    weekly, errors = parse_weekly([(int(d), s, e) for d, s, e in entries])
    assert errors == []
    return Schedule(zone, tuple(weekly), tuple(exceptions))


def whole_day(zone: str, day: date) -> Interval:
    start = datetime(day.year, day.month, day.day, tzinfo=ZoneInfo(zone))
    return Interval(start.astimezone(UTC), (start + timedelta(days=1)).astimezone(UTC))


# (zone, a Sunday when the clocks change, wall start, wall end, real hours open,
#  first instant open in UTC)
DST_DAYS = [
    # NZ: clocks go forward 02:00 -> 03:00 on 27 September 2026.
    (NZ, date(2026, 9, 27), "01:00", "05:00", 3, "2026-09-26T13:00"),
    # A start inside the skipped hour moves on by the jump: 02:30 is 03:30.
    (NZ, date(2026, 9, 27), "02:30", "05:00", 1.5, "2026-09-26T14:30"),
    (NZ, date(2026, 9, 27), "02:00", "03:00", 0, None),
    # NZ: clocks go back 03:00 -> 02:00 on 5 April 2026.
    (NZ, date(2026, 4, 5), "01:00", "05:00", 5, "2026-04-04T12:00"),
    # NSW: forward 02:00 -> 03:00 on 4 October 2026, back on 5 April 2026.
    (NSW, date(2026, 10, 4), "01:00", "05:00", 3, "2026-10-03T15:00"),
    (NSW, date(2026, 4, 5), "01:00", "05:00", 5, "2026-04-04T14:00"),
    # An ordinary Sunday: as long as it says.
    (NSW, date(2026, 10, 11), "01:00", "05:00", 4, "2026-10-10T14:00"),
]


@pytest.mark.parametrize(
    ("zone", "day", "start", "end", "hours", "opens_utc"), DST_DAYS
)
def test_a_day_when_the_clocks_change(zone, day, start, end, hours, opens_utc):
    schedule = week(zone, (Weekday(day.weekday()), start, end))
    spans = open_time(schedule, whole_day(zone, day))
    assert sum((s.end - s.start for s in spans), timedelta()) == timedelta(hours=hours)
    if opens_utc is not None:
        assert spans[0].start == datetime.fromisoformat(opens_utc).replace(tzinfo=UTC)


@pytest.mark.parametrize(
    ("zone", "day", "expected_wall_clock"),
    [
        # The skipped hour offers nothing; the half-hour grid carries on after it.
        (NZ, date(2026, 9, 27), ["01:00", "01:30", "03:00", "03:30", "04:00"]),
        (NSW, date(2026, 10, 4), ["01:00", "01:30", "03:00", "03:30", "04:00"]),
        # The repeated hour offers both of its half hours twice.
        (
            NZ,
            date(2026, 4, 5),
            [
                *("01:00", "01:30", "02:00", "02:30"),  # daylight time
                *("02:00", "02:30", "03:00", "03:30", "04:00"),  # standard time
            ],
        ),
    ],
)
def test_slots_on_a_dst_day_follow_the_wall_clock(zone, day, expected_wall_clock):
    schedule = week(zone, (Weekday(day.weekday()), "01:00", "05:00"))
    window = whole_day(zone, day)
    starts = slot_starts(
        free_time(schedule, [], window),
        window=window,
        duration=timedelta(hours=1),
        time_zone=zone,
    )
    local = [s.astimezone(ZoneInfo(zone)).strftime("%H:%M") for s in starts]
    assert local == expected_wall_clock


# Friday 22:00 to Saturday 02:00 in Auckland (Friday 4 December 2026).
NIGHT = week(NZ, (Weekday.FRIDAY, "22:00", "02:00"))


@pytest.mark.parametrize(
    ("start", "end", "bookable"),
    [
        ("2026-12-04T22:00", "2026-12-05T02:00", True),  # the whole night
        ("2026-12-04T23:30", "2026-12-05T00:30", True),  # across midnight
        ("2026-12-05T00:30", "2026-12-05T01:30", True),  # Saturday, from Friday's
        ("2026-12-04T21:30", "2026-12-04T22:30", False),  # starts too early
        ("2026-12-05T01:30", "2026-12-05T02:30", False),  # ends too late
        ("2026-12-05T22:00", "2026-12-05T23:00", False),  # Saturday night is off
        ("2026-12-06T00:30", "2026-12-06T01:00", False),  # and so its small hours
    ],
)
def test_an_interval_crossing_midnight(start, end, bookable):
    wanted = Interval(at(NZ, start), at(NZ, end))
    assert (unavailable_reason(NIGHT, [], wanted) is None) is bookable


# A booking 10:00-12:00 on Tuesday 1 December 2026, in a 08:00-18:00 day.
DAY = week(NZ, (Weekday.TUESDAY, "08:00", "18:00"))
BOOKED = [Interval(at(NZ, "2026-12-01T10:00"), at(NZ, "2026-12-01T12:00"))]


@pytest.mark.parametrize(
    ("start", "end", "bookable"),
    [
        ("12:00", "14:00", True),  # starts as the booking ends
        ("08:00", "10:00", True),  # ends as the booking starts
        ("11:59", "13:59", False),  # one minute over its end
        ("08:01", "10:01", False),  # one minute over its start
        ("10:30", "11:00", False),  # inside it
        ("09:00", "13:00", False),  # around it
        ("16:00", "18:00", True),  # up to the end of the day
        ("17:00", "18:01", False),  # a minute past the day
        ("07:59", "09:00", False),  # a minute before the day
    ],
)
def test_adjacent_is_allowed_and_one_minute_of_overlap_is_not(start, end, bookable):
    wanted = Interval(at(NZ, f"2026-12-01T{start}"), at(NZ, f"2026-12-01T{end}"))
    assert (unavailable_reason(DAY, BOOKED, wanted) is None) is bookable


def test_without_a_schedule_only_bookings_are_in_the_way():
    free = Interval(at(NZ, "2026-12-01T03:00"), at(NZ, "2026-12-01T04:00"))
    assert unavailable_reason(None, BOOKED, free) is None
    clash = Interval(at(NZ, "2026-12-01T11:00"), at(NZ, "2026-12-01T13:00"))
    assert "already booked" in (unavailable_reason(None, BOOKED, clash) or "")


@pytest.mark.parametrize(
    ("kind", "start", "end", "wanted", "bookable"),
    [
        (ExceptionKind.TIME_OFF, "12:00", "14:00", ("13:00", "13:30"), False),
        (ExceptionKind.TIME_OFF, "12:00", "14:00", ("14:00", "15:00"), True),
        (ExceptionKind.EXTRA_HOURS, "18:00", "21:00", ("17:00", "20:00"), True),
        (ExceptionKind.EXTRA_HOURS, "18:00", "21:00", ("20:00", "21:30"), False),
    ],
)
def test_exceptions_take_time_off_and_add_hours(kind, start, end, wanted, bookable):
    span = Interval(at(NZ, f"2026-12-01T{start}"), at(NZ, f"2026-12-01T{end}"))
    schedule = week(
        NZ,
        (Weekday.TUESDAY, "08:00", "18:00"),
        exceptions=[ScheduleException(kind, span)],
    )
    interval = Interval(
        at(NZ, f"2026-12-01T{wanted[0]}"), at(NZ, f"2026-12-01T{wanted[1]}")
    )
    assert (unavailable_reason(schedule, [], interval) is None) is bookable


def test_time_off_wins_over_extra_hours():
    span = Interval(at(NZ, "2026-12-02T09:00"), at(NZ, "2026-12-02T12:00"))
    schedule = Schedule(
        NZ,
        (),
        (
            ScheduleException(ExceptionKind.EXTRA_HOURS, span),
            ScheduleException(ExceptionKind.TIME_OFF, span),
        ),
    )
    assert unavailable_reason(schedule, [], span) is not None


def test_slots_skip_bookings_and_keep_the_half_hour():
    window = Interval(at(NZ, "2026-12-01T00:00"), at(NZ, "2026-12-02T00:00"))
    starts = slot_starts(
        free_time(DAY, BOOKED, window),
        window=window,
        duration=timedelta(minutes=90),
        time_zone=NZ,
    )
    local = [s.astimezone(ZoneInfo(NZ)).strftime("%H:%M") for s in starts]
    assert local[:2] == ["08:00", "08:30"]
    assert "09:00" not in local  # would run into the 10:00 booking
    assert local[2:4] == ["12:00", "12:30"]
    assert local[-1] == "16:30"


@pytest.mark.parametrize(
    ("entry", "field"),
    [
        ((0, "9:00", "17:00"), "intervals.0.start"),
        ((0, "09:00", "24:01"), "intervals.0.end"),
        ((0, "24:00", "02:00"), "intervals.0.start"),
        ((0, "09:00", "09:00"), "intervals.0.end"),
        ((0, "00:00", "00:00"), "intervals.0.end"),
    ],
)
def test_weekly_intervals_are_checked(entry, field):
    weekly, errors = parse_weekly([entry])
    assert weekly == []
    assert [(e.field, e.code) for e in errors] == [(field, ErrorCode.INVALID)]


def test_whole_days_and_late_nights_parse():
    weekly, errors = parse_weekly([(0, "00:00", "24:00"), (4, "22:00", "00:00")])
    assert errors == []
    assert [(w.start_minute, w.end_minute, w.crosses_midnight) for w in weekly] == [
        (0, 1440, False),
        (1320, 0, True),
    ]
