"""The sweeper applies `expire` and `auto_confirm` exactly once (injected clock)."""

from __future__ import annotations

import asyncio
import itertools
import json
import sys
from datetime import UTC, datetime, timedelta

import pytest
from bson import ObjectId

from gigsta.documents import Booking
from gigsta.documents.booking_store import due_filter
from gigsta.domain.bookings.actions import (
    SYSTEM_ACTIONS,
    ActorRole,
    Transition,
    decide,
)
from gigsta.jobs.sweeper import run_sweeper
from gigsta.resolvers.bookings.timers import sweep
from gigsta.resolvers.core.stopping import stop
from tests.conftest import run_cli

# The app fixture initialises Beanie on the test database.
pytestmark = pytest.mark.usefixtures("app")

T0 = datetime(2026, 11, 2, 9, 0, tzinfo=UTC)


def boundary_offsets(field: str) -> list[timedelta]:
    """Times (relative to now) a minute either side of, and on, every time
    guard boundary on `field` in the table, so a new timed action is covered
    without editing this test."""
    edge = [timedelta(minutes=m) for m in (-1, 0, 1)]
    return sorted(
        {
            -term.offset + d
            for rule in SYSTEM_ACTIONS
            for term in rule.due
            if term.field == field
            for d in edge
        }
        | {timedelta(0)}
    )


async def test_due_filters_find_every_booking_the_domain_finds_due(raw_db):
    """Each timed system action's database filter (derived from the table)
    selects every booking `decide` would move: bookings on both sides of each
    time term's boundary, in every status, with and without a deferred hold."""
    now = T0 + timedelta(days=30)
    created = boundary_offsets("requested_at")
    starts = boundary_offsets("scheduled_start")
    completed = [None, *boundary_offsets("completed_at")]
    docs = [
        {
            "_id": ObjectId(),
            "customer_id": ObjectId(),
            "worker_id": ObjectId(),
            "service": "cleaning",
            "description": "d",
            "scheduled_start": now + start,
            "scheduled_end": now + start + timedelta(hours=2),
            "status": status,
            "version": 1,
            "history": [],
            "completed_at": None if done is None else now + done,
            "created_at": now + made,
            "updated_at": now + made,
            "time_zone": "Pacific/Auckland",
            "payment": {"status": "deferred", "currency": "NZD"} if deferred else None,
        }
        for status in ("requested", "accepted", "pending_payment", "completed")
        for made, start, done, deferred in itertools.product(
            created, starts, completed, (False, True)
        )
    ]
    await raw_db["bookings"].insert_many(docs)
    ids = [d["_id"] for d in docs]
    every = await Booking.find({"_id": {"$in": ids}}).to_list()
    assert SYSTEM_ACTIONS
    for rule in SYSTEM_ACTIONS:
        query = {**due_filter(rule, now), "_id": {"$in": ids}}
        selected = {b.id for b in await Booking.find(query).to_list()}
        due = {
            b.id
            for b in every
            if isinstance(
                decide(b.facts(), rule.name, ActorRole.SYSTEM, now), Transition
            )
        }
        assert due, rule.name  # the grid reaches every action's due side
        assert due <= selected, rule.name
        waiting = {b.id for b in every if b.status in rule.from_statuses} - due
        assert waiting, rule.name  # and bookings in its statuses not yet due
    await raw_db["bookings"].delete_many({"_id": {"$in": ids}})


async def insert_booking(
    raw_db,
    status: str,
    created: datetime,
    start: datetime,
    completed: datetime | None = None,
) -> ObjectId:
    oid = ObjectId()
    await raw_db["bookings"].insert_one(
        {
            "_id": oid,
            "customer_id": ObjectId(),
            "worker_id": ObjectId(),
            "service": "cleaning",
            "description": "d",
            "scheduled_start": start,
            "scheduled_end": start + timedelta(hours=2),
            "status": status,
            "version": 3,
            "history": [],
            "completed_at": completed,
            "created_at": created,
            "updated_at": created,
            "time_zone": "Pacific/Auckland",
        }
    )
    return oid


async def test_expire_after_48_hours_or_at_start(raw_db):
    old = await insert_booking(raw_db, "requested", T0, T0 + timedelta(days=5))
    soon = await insert_booking(raw_db, "requested", T0, T0 + timedelta(hours=10))
    fresh = await insert_booking(
        raw_db, "requested", T0 + timedelta(hours=1), T0 + timedelta(days=5)
    )
    accepted = await insert_booking(raw_db, "accepted", T0, T0 + timedelta(hours=10))

    report = await sweep(T0 + timedelta(hours=9, minutes=59))
    assert set(report.moved.values()) == {0}

    report = await sweep(T0 + timedelta(hours=10))
    assert report.moved["expire"] == 1
    assert (await raw_db["bookings"].find_one({"_id": soon}))["status"] == "expired"

    report = await sweep(T0 + timedelta(hours=48))
    assert report.moved["expire"] == 1
    assert (await raw_db["bookings"].find_one({"_id": old}))["status"] == "expired"
    assert (await raw_db["bookings"].find_one({"_id": fresh}))["status"] == "requested"
    assert (await raw_db["bookings"].find_one({"_id": accepted}))[
        "status"
    ] == "accepted"

    expired = await raw_db["bookings"].find_one({"_id": old})
    assert expired["version"] == 4
    event = expired["history"][-1]
    assert (event["action"], event["actor_role"], event["actor_id"]) == (
        "expire",
        "system",
        None,
    )
    assert event["at"] == T0 + timedelta(hours=48)


async def test_auto_confirm_72_hours_after_completion(raw_db):
    done = await insert_booking(
        raw_db,
        "completed",
        T0,
        T0 + timedelta(days=1),
        completed=T0 + timedelta(days=1, hours=3),
    )
    due = T0 + timedelta(days=1, hours=3) + timedelta(hours=72)
    assert (await sweep(due - timedelta(seconds=1))).moved["auto_confirm"] == 0
    assert (await sweep(due)).moved["auto_confirm"] == 1
    stored = await raw_db["bookings"].find_one({"_id": done})
    assert stored["status"] == "closed"
    assert stored["history"][-1]["action"] == "auto_confirm"


async def test_concurrent_sweepers_move_each_booking_exactly_once(raw_db):
    ids = [
        await insert_booking(raw_db, "requested", T0, T0 + timedelta(days=4))
        for _ in range(30)
    ]
    now = T0 + timedelta(days=3)
    reports = await asyncio.gather(*(sweep(now) for _ in range(4)))
    assert sum(r.moved["expire"] for r in reports) == 30
    async for doc in raw_db["bookings"].find({"_id": {"$in": ids}}):
        assert doc["status"] == "expired"
        assert doc["version"] == 4
        assert [e["action"] for e in doc["history"]] == ["expire"]


async def test_sweeper_loop_runs_in_the_background(raw_db):
    oid = await insert_booking(raw_db, "requested", T0, T0 + timedelta(days=4))
    task = asyncio.create_task(run_sweeper(lambda: T0 + timedelta(days=3), 0.01))
    try:
        for _ in range(500):  # bounded: at most ~5 s
            doc = await raw_db["bookings"].find_one({"_id": oid})
            if doc["status"] == "expired":
                break
            await asyncio.sleep(0.01)
        assert doc["status"] == "expired"
    finally:
        await stop(task)


async def test_one_shot_sweep_command(raw_db, settings, project_root):
    long_ago = datetime.now(UTC) - timedelta(days=10)
    oid = await insert_booking(
        raw_db, "requested", long_ago, long_ago + timedelta(days=1)
    )
    result = run_cli(
        [sys.executable, "-m", "gigsta.jobs", "sweep"],
        env={"MONGODB_URI": settings.mongodb_uri, "MONGODB_DB": settings.mongodb_db},
        cwd=project_root,
    )
    assert result.returncode == 0, result.stderr
    assert json.loads(result.stdout.strip().splitlines()[-1])["moved"]["expire"] == 1
    assert (await raw_db["bookings"].find_one({"_id": oid}))["status"] == "expired"
