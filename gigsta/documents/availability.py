"""Availability: a worker's schedule (embedded in the worker) and the per-worker
calendar of claimed time that keeps two bookings from holding the same time.

Why a claim list in one document per worker, and not a unique index on slot
units or a version counter:

- The guard is a single conditional update on that one document: "push my
  claim if no claim in the array overlaps it" (`claim_time`). MongoDB applies
  an update to one document atomically and, when two writers collide, retries
  the loser against the new state, so its filter sees the winner's claim. That
  holds on any deployment (standalone, replica set, sharded: the document has
  one home), with no transaction and no retry loop of ours, and works the
  same on SecantusDB.
- A unique index on slot units needs one document per unit (a three-hour job
  in one-minute units is 180 inserts, rolled back by hand when one collides),
  or coarse units that would refuse bookings that merely touch.
- A version counter alone does not close the gap between "I read no overlap"
  and "my booking is inserted": the bump and the insert would need a
  multi-document transaction.

A claim is written before the card hold and the booking insert, so a claim can
outlive a request that died half way, or a booking that has since freed its
time (the release after a transition is a second write). Both are harmless:
`claim_time` reports the conflicting claims, and the resolver drops those that
belong to no holding booking (`drop_claims`) and tries again; a claim younger
than `CLAIM_GRACE` whose booking is not there yet is a request still in flight
and counts as taken.
"""

from __future__ import annotations

import contextlib
from datetime import datetime, timedelta
from typing import TYPE_CHECKING, Any

from beanie import Document, PydanticObjectId
from pydantic import BaseModel, Field
from pymongo.errors import DuplicateKeyError

from gigsta.domain.availability import (
    HOLDING_STATUSES,
    ExceptionKind,
    Interval,
    Schedule,
    ScheduleException,
    WeeklyInterval,
)

if TYPE_CHECKING:
    from collections.abc import Iterable

# A claim whose booking is not stored yet is a request still in flight for
# this long (its lease and card hold take seconds); after that, a leftover.
CLAIM_GRACE = timedelta(minutes=5)
# Claims for time this far in the past are pruned when the calendar is written.
PRUNE_AFTER = timedelta(days=1)


class WeeklyIntervalDoc(BaseModel):
    weekday: int
    start_minute: int
    end_minute: int


class AvailabilityExceptionDoc(BaseModel):
    id: PydanticObjectId = Field(default_factory=PydanticObjectId)
    kind: ExceptionKind
    start: datetime
    end: datetime
    note: str = ""


class WorkerAvailability(BaseModel):
    """A worker's schedule, embedded in the worker (read with the profile)."""

    time_zone: str
    weekly: list[WeeklyIntervalDoc] = Field(default_factory=list)
    exceptions: list[AvailabilityExceptionDoc] = Field(default_factory=list)
    updated_at: datetime

    def to_domain(self) -> Schedule:
        return Schedule(
            time_zone=self.time_zone,
            weekly=tuple(
                WeeklyInterval(w.weekday, w.start_minute, w.end_minute)
                for w in self.weekly
            ),
            exceptions=tuple(
                ScheduleException(e.kind, Interval(e.start, e.end))
                for e in self.exceptions
            ),
        )


class TimeClaim(BaseModel):
    booking_id: PydanticObjectId
    start: datetime
    end: datetime
    at: datetime


class WorkerCalendar(Document):
    """One per worker (`_id` is the worker's id): the time its holding
    bookings claim. Written only by the functions below."""

    claims: list[TimeClaim] = Field(default_factory=list)

    class Settings:
        name = "worker_calendars"


def _overlapping(start: datetime, end: datetime) -> dict[str, Any]:
    return {"start": {"$lt": end}, "end": {"$gt": start}}


async def _ensure_calendar(worker_id: PydanticObjectId, now: datetime) -> None:
    collection = WorkerCalendar.get_pymongo_collection()
    # Two first claims at once: the other upsert made the calendar.
    with contextlib.suppress(DuplicateKeyError):
        await collection.update_one(
            {"_id": worker_id},
            {"$pull": {"claims": {"end": {"$lt": now - PRUNE_AFTER}}}},
            upsert=True,
        )


async def claim_time(
    worker_id: PydanticObjectId,
    booking_id: PydanticObjectId,
    span: Interval,
    *,
    now: datetime,
) -> list[TimeClaim]:
    """Claim `span` for the booking; [] on success, else the claims in the way.

    One conditional update (see the module docstring). A booking that
    already holds a claim may claim again (an `accept` re-checking its time):
    its own claim never counts against it and is not duplicated.
    """
    await _ensure_calendar(worker_id, now)
    collection = WorkerCalendar.get_pymongo_collection()
    claim = TimeClaim(booking_id=booking_id, start=span.start, end=span.end, at=now)
    others = {**_overlapping(span.start, span.end), "booking_id": {"$ne": booking_id}}
    result = await collection.update_one(
        {
            "_id": worker_id,
            "claims": {"$not": {"$elemMatch": others}},
            "claims.booking_id": {"$ne": booking_id},
        },
        {"$push": {"claims": claim.model_dump(mode="python")}},
    )
    if result.modified_count == 1:
        return []
    calendar = await WorkerCalendar.get(worker_id)
    assert calendar is not None
    in_the_way = [
        c
        for c in calendar.claims
        if c.booking_id != booking_id and Interval(c.start, c.end).overlaps(span)
    ]
    if in_the_way:
        return in_the_way
    # Our own claim was already there, and nothing else overlaps it.
    return []


async def release_claim(
    worker_id: PydanticObjectId, booking_id: PydanticObjectId | None
) -> None:
    """The booking no longer holds its time."""
    await WorkerCalendar.get_pymongo_collection().update_one(
        {"_id": worker_id}, {"$pull": {"claims": {"booking_id": booking_id}}}
    )


async def drop_claims(worker_id: PydanticObjectId, claims: Iterable[TimeClaim]) -> None:
    """Remove leftover claims, each only as it was seen (booking and time)."""
    collection = WorkerCalendar.get_pymongo_collection()
    for claim in claims:
        await collection.update_one(
            {"_id": worker_id},
            {"$pull": {"claims": {"booking_id": claim.booking_id, "at": claim.at}}},
        )


def holding_filter(worker_id: PydanticObjectId, span: Interval) -> dict[str, Any]:
    """The bookings of this worker that hold time overlapping `span`."""
    return {
        "worker_id": worker_id,
        "status": {"$in": sorted(s.value for s in HOLDING_STATUSES)},
        "scheduled_start": {"$lt": span.end},
        "scheduled_end": {"$gt": span.start},
    }
