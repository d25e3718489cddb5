"""Availability over GraphQL: editing the schedule, reading it, bookable
slots, refusing requests outside it or over another booking, freeing time,
and the `availableAt` search filter."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from tests.schema.payments_helpers import (
    must,
    parties,
    request,
    run_sweep,
)

SET_WEEK = """mutation($input: SetWeeklyScheduleInput!) {
  setWeeklySchedule(input: $input) {
  availability { timeZone weekly { weekday start end } }
  errors { field code message } } }"""
ADD_EXCEPTION = """mutation($input: AddAvailabilityExceptionInput!) {
  addAvailabilityException(input: $input) {
    availability { exceptions { id kind start end note } }
    errors { field code message } } }"""
REMOVE_EXCEPTION = """mutation($input: RemoveAvailabilityExceptionInput!) {
  removeAvailabilityException(input: $input) {
    availability { exceptions { id } } errors { field code message } } }"""
WORKER = """query($id: ID!, $from: DateTime!, $to: DateTime!, $minutes: Int!) {
  worker(id: $id) {
    availability { timeZone weekly { weekday start end } exceptions { kind note } }
    availableSlots(from: $from, to: $to, durationMinutes: $minutes) } }"""
AVAILABLE_AT = """query($at: DateTime) {
  workers(first: 50, filter: {availableAt: $at}) { edges { node { id } } } }"""

# The suite's clock starts on Monday 2 November 2026, 09:00 UTC (22:00 in
# Auckland). Tuesday 3 November 2026 in Auckland (NZDT, +13:00):
TUESDAY = "2026-11-03T{}:00+13:00"


def nz(hhmm: str) -> datetime:
    return datetime.fromisoformat(TUESDAY.format(hhmm))


def tuesday_hours(p) -> dict[str, object]:
    """`WORKER`'s variables: one-hour slots all Tuesday."""
    return {
        "id": p.worker_id,
        "from": nz("00:00").isoformat(),
        "to": nz("23:59").isoformat(),
        "minutes": 60,
    }


async def weekdays_nine_to_five(gql, p) -> None:
    week = [
        {"weekday": day, "start": "09:00", "end": "17:00"}
        for day in ("MONDAY", "TUESDAY", "WEDNESDAY", "THURSDAY", "FRIDAY")
    ]
    data = await gql(
        SET_WEEK,
        {"input": {"timeZone": "Pacific/Auckland", "intervals": week}},
        token=p.worker_token,
    )
    assert data["setWeeklySchedule"]["errors"] == []


async def test_a_worker_sets_and_shows_a_week(gql, clock):
    p = await parties(gql, clock)
    night = {"weekday": "FRIDAY", "start": "22:00", "end": "02:00"}
    data = await gql(
        SET_WEEK,
        {"input": {"timeZone": "Pacific/Auckland", "intervals": [night]}},
        token=p.worker_token,
    )
    assert data["setWeeklySchedule"] == {
        "availability": {"timeZone": "Pacific/Auckland", "weekly": [night]},
        "errors": [],
    }
    variables = tuesday_hours(p)
    seen = await gql(WORKER, variables, token=p.customer_token)
    assert seen["worker"]["availability"]["weekly"] == [night]
    assert seen["worker"]["availableSlots"] == []  # Tuesday: nothing


@pytest.mark.parametrize(
    ("who", "variables", "expected"),
    [
        ("customer", {"timeZone": "Pacific/Auckland"}, [(None, "NOT_ALLOWED")]),
        ("worker", {"timeZone": "Mars/Olympus"}, [("timeZone", "INVALID")]),
        ("worker", {"timeZone": "Australia"}, [("timeZone", "INVALID")]),  # a folder
        (
            "worker",
            {
                "timeZone": "Australia/Sydney",
                "intervals": [{"weekday": "MONDAY", "start": "9am", "end": "17:00"}],
            },
            [("intervals.0.start", "INVALID")],
        ),
    ],
)
async def test_schedule_edits_are_checked(gql, clock, who, variables, expected):
    p = await parties(gql, clock)
    token = p.worker_token if who == "worker" else p.customer_token
    data = await gql(SET_WEEK, {"input": {"intervals": [], **variables}}, token=token)
    payload = data["setWeeklySchedule"]
    assert payload["availability"] is None
    assert [(e["field"], e["code"]) for e in payload["errors"]] == expected


async def test_slots_follow_the_week_exceptions_and_bookings(
    gql, clock, stripe_harness
):
    p = await parties(gql, clock)
    await weekdays_nine_to_five(gql, p)
    off = {
        "kind": "TIME_OFF",
        "start": nz("12:00").isoformat(),
        "end": nz("13:00").isoformat(),
        "note": "Dentist",
    }
    data = await gql(ADD_EXCEPTION, {"input": off}, token=p.worker_token)
    (exception,) = data["addAvailabilityException"]["availability"]["exceptions"]
    assert (exception["kind"], exception["note"]) == ("TIME_OFF", "Dentist")
    booked = await request(gql, p, "pm_card_visa", nz("14:00"))  # to 16:00
    assert booked["errors"] == []
    variables = tuesday_hours(p)
    seen = await gql(WORKER, variables, token=p.customer_token)
    slots = [datetime.fromisoformat(s) for s in seen["worker"]["availableSlots"]]
    assert [s.strftime("%H:%M%z") for s in slots] == [
        *("09:00+1300", "09:30+1300", "10:00+1300", "10:30+1300", "11:00+1300"),
        *("13:00+1300", "16:00+1300"),
    ]
    # Others see the week, not the worker's exceptions.
    assert seen["worker"]["availability"]["exceptions"] == []
    own = await gql(WORKER, variables, token=p.worker_token)
    assert own["worker"]["availability"]["exceptions"] == [
        {"kind": "TIME_OFF", "note": "Dentist"}
    ]
    data = await gql(
        REMOVE_EXCEPTION,
        {"input": {"exceptionId": exception["id"]}},
        token=p.worker_token,
    )
    assert data["removeAvailabilityException"] == {
        "availability": {"exceptions": []},
        "errors": [],
    }


@pytest.mark.parametrize(
    ("start", "hours", "code"),
    [
        ("07:00", 2, "WORKER_UNAVAILABLE"),  # before the day starts
        ("16:00", 2, "WORKER_UNAVAILABLE"),  # runs past 17:00
        ("15:00", 2, None),  # ends at 17:00 exactly
    ],
)
async def test_requests_outside_the_schedule_are_refused(
    gql, clock, stripe_harness, start, hours, code
):
    p = await parties(gql, clock)
    await weekdays_nine_to_five(gql, p)
    payload = await request(
        gql, p, "pm_card_visa", nz(start), duration=timedelta(hours=hours)
    )
    assert [e["code"] for e in payload["errors"]] == ([code] if code else [])
    if code:
        assert payload["booking"] is None
        assert payload["errors"][0]["field"] == "scheduledStart"
        assert stripe_harness.recorder.calls("POST", "/v1/payment_intents") == []


@pytest.mark.parametrize(
    ("second_start", "bookable"),
    [
        ("12:00", True),  # adjacent: the first ends at 12:00
        ("11:59", False),  # one minute of overlap
        ("08:00", True),  # ends as the first starts
        ("08:01", False),
    ],
)
async def test_adjacent_bookings_fit_and_overlaps_do_not(
    gql, clock, stripe_harness, second_start, bookable
):
    p = await parties(gql, clock)
    first = await request(gql, p, "pm_card_visa", nz("10:00"))  # to 12:00
    assert first["errors"] == []
    second = await request(gql, p, "pm_card_visa", nz(second_start))
    codes = [e["code"] for e in second["errors"]]
    assert codes == ([] if bookable else ["WORKER_UNAVAILABLE"])


async def _expire(booking, settings, clock):
    # Expired by the sweeper at its start; the second request is still ahead.
    clock.now = datetime.fromisoformat(booking["scheduledStart"]).astimezone(UTC)
    report = await run_sweep(settings, clock)
    assert report is not None


@pytest.mark.parametrize("how", ["cancel", "decline", "withdraw", "expire"])
async def test_a_booking_that_ends_frees_its_time(
    gql, clock, stripe_harness, settings, how
):
    p = await parties(gql, clock)
    first = (await request(gql, p, "pm_card_visa", nz("10:00")))["booking"]
    refused = await request(gql, p, "pm_card_visa", nz("11:00"))
    assert [e["code"] for e in refused["errors"]] == ["WORKER_UNAVAILABLE"]
    if how == "cancel":
        await must(gql, p.customer_token, first, "cancel")
    elif how == "decline":
        await must(gql, p.worker_token, first, "decline", reason="Away")
    elif how == "withdraw":
        first = await must(gql, p.worker_token, first, "accept")
        await must(gql, p.worker_token, first, "withdraw", reason="Sick")
    else:
        await _expire(first, settings, clock)
    second = await request(gql, p, "pm_card_visa", nz("11:00"))
    assert second["errors"] == []
    assert second["booking"]["status"] == "REQUESTED"


async def test_workers_filter_by_available_at(gql, clock, stripe_harness):
    scheduled = await parties(gql, clock)
    await weekdays_nine_to_five(gql, scheduled)
    anytime = await parties(gql, clock)
    booked = await parties(gql, clock)
    assert (await request(gql, booked, "pm_card_visa", nz("10:00")))["errors"] == []

    async def available(at: datetime) -> set[str]:
        data = await gql(AVAILABLE_AT, {"at": at.isoformat()})
        return {e["node"]["id"] for e in data["workers"]["edges"]}

    everyone = {scheduled.worker_id, anytime.worker_id, booked.worker_id}
    assert await available(nz("11:00")) & everyone == {
        scheduled.worker_id,
        anytime.worker_id,
    }
    assert await available(nz("12:00")) & everyone == everyone  # booking ended
    assert await available(nz("18:00")) & everyone == {
        anytime.worker_id,
        booked.worker_id,
    }


async def test_accepting_keeps_the_time_of_an_accepted_booking(
    gql, clock, stripe_harness
):
    p = await parties(gql, clock)
    first = (await request(gql, p, "pm_card_visa", nz("10:00")))["booking"]
    await must(gql, p.worker_token, first, "accept")
    refused = await request(gql, p, "pm_card_visa", nz("11:00"))
    assert [e["code"] for e in refused["errors"]] == ["WORKER_UNAVAILABLE"]


@pytest.mark.parametrize(
    ("changes", "message"),
    [
        ({"from": "2026-11-03T09:00:00"}, "UTC offset"),
        ({"to": "9999-12-31T23:00:00+00:00"}, "too far"),
        ({"minutes": 5}, "duration"),
        ({"to": "2027-01-03T09:00:00+13:00"}, "31 days"),
    ],
)
async def test_slot_questions_it_cannot_answer_are_refused(
    gql, clock, changes, message
):
    p = await parties(gql, clock)
    response = await gql.raw(WORKER, {**tuesday_hours(p), **changes})
    (error,) = response.json()["errors"]
    assert error["extensions"]["code"] == "INVALID"
    assert message in error["message"]
