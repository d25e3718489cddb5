"""Domain events are written in the same transaction as the change they
describe: with it, or not at all."""

from __future__ import annotations

import asyncio
from typing import Any

import pytest
from pymongo.errors import AutoReconnect, OperationFailure, PyMongoError

from gigsta.documents import Booking, DomainEvent
from gigsta.documents.booking_store import apply_transition, insert_booking
from gigsta.documents.events import (
    TRANSACTION_ATTEMPTS,
    EventType,
    write_with_event,
)
from gigsta.domain.bookings.actions import ActorRole, BookingStatus, Transition, decide
from tests.documents.factories import new_booking


async def _events(raw_db: Any, booking: Booking) -> list[dict[str, Any]]:
    return await raw_db.events.find({"booking_id": booking.id}).sort("_id").to_list()


async def test_a_new_booking_and_a_transition_each_write_one_event(app, raw_db, clock):
    booking = await insert_booking(new_booking(clock.now), actor_id="customer-1")
    accept = decide(booking.facts(), "accept", ActorRole.WORKER, clock.now)
    assert isinstance(accept, Transition)
    accepted = await apply_transition(booking, accept)
    assert accepted is not None

    events = await _events(raw_db, booking)
    assert [e["type"] for e in events] == [
        EventType.BOOKING_REQUESTED.value,
        EventType.BOOKING_STATUS_CHANGED.value,
    ]
    requested, changed = events
    assert requested["booking_version"] == 1
    assert requested["actor_id"] == "customer-1"
    assert requested["customer_id"] == booking.customer_id
    assert requested["worker_id"] == booking.worker_id
    assert changed["booking_version"] == accepted.version == 2
    assert changed["data"]["action"] == "accept"
    assert changed["data"]["from_status"] == BookingStatus.REQUESTED.value
    assert changed["data"]["to_status"] == BookingStatus.ACCEPTED.value
    assert changed["actor_role"] == ActorRole.WORKER.value
    assert changed["outbox"]["status"] == "pending"
    assert changed["outbox"]["next_attempt_at"] == clock.now


async def test_a_transition_that_loses_its_race_writes_no_event(app, raw_db, clock):
    booking = await insert_booking(new_booking(clock.now), actor_id=None)
    accept = decide(booking.facts(), "accept", ActorRole.WORKER, clock.now)
    decline = decide(
        booking.facts(), "decline", ActorRole.WORKER, clock.now, reason="Busy"
    )
    assert isinstance(accept, Transition) and isinstance(decline, Transition)
    assert await apply_transition(booking, accept) is not None
    # Decided from the same (now stale) version: the update matches nothing.
    assert await apply_transition(booking, decline) is None

    events = await _events(raw_db, booking)
    assert [e["data"].get("action") for e in events] == [None, "accept"]


async def test_a_failed_event_write_rolls_the_change_back(app, raw_db, clock):
    booking = await insert_booking(new_booking(clock.now), actor_id=None)

    async def write(session: Any) -> bool:
        await Booking.get_pymongo_collection().update_one(
            {"_id": booking.id}, {"$set": {"description": "changed"}}, session=session
        )
        return True

    def make_event(_: bool) -> DomainEvent:
        raise RuntimeError("the event could not be built")

    with pytest.raises(RuntimeError):
        await write_with_event(write, make_event)

    stored = await raw_db.bookings.find_one({"_id": booking.id})
    assert stored["description"] == "Kitchen"
    assert len(await _events(raw_db, booking)) == 1


def _labelled(error: PyMongoError) -> PyMongoError:
    error._add_error_label("TransientTransactionError")
    return error


async def test_a_write_conflict_runs_the_write_again_a_bounded_number_of_times(
    app, raw_db, clock
):
    booking = await insert_booking(new_booking(clock.now), actor_id=None)
    calls = 0

    async def conflicting(session: Any) -> bool:
        nonlocal calls
        calls += 1
        raise _labelled(OperationFailure("Write conflict", code=112))

    with pytest.raises(OperationFailure):
        await write_with_event(conflicting, lambda _: None)
    assert calls == TRANSACTION_ATTEMPTS

    calls = 0

    async def conflicts_once(session: Any) -> bool:
        nonlocal calls
        calls += 1
        if calls == 1:
            raise _labelled(OperationFailure("Write conflict", code=112))
        await Booking.get_pymongo_collection().update_one(
            {"_id": booking.id},
            {"$set": {"description": "second try"}},
            session=session,
        )
        return True

    assert await write_with_event(conflicts_once, lambda _: None) is True
    assert calls == 2
    stored = await raw_db.bookings.find_one({"_id": booking.id})
    assert stored["description"] == "second try"


async def test_many_writers_racing_for_one_booking_end_with_one_winner(
    app, raw_db, clock
):
    """Eight conditional transitions of one booking at once: one wins, the
    others see its write and match nothing; none gives up on a conflict."""
    booking = await insert_booking(new_booking(clock.now), actor_id=None)
    accept = decide(booking.facts(), "accept", ActorRole.WORKER, clock.now)
    assert isinstance(accept, Transition)
    results = await asyncio.gather(
        *(apply_transition(booking, accept) for _ in range(8)),
        return_exceptions=True,
    )
    assert [r for r in results if isinstance(r, BaseException)] == []
    assert sum(r is not None for r in results) == 1
    events = await _events(raw_db, booking)
    assert [e["type"] for e in events].count(EventType.BOOKING_STATUS_CHANGED) == 1


async def test_a_lost_connection_is_not_retried_inside_the_transaction(
    app, raw_db, clock
):
    """An outage must reach the request's DATABASE_UNAVAILABLE at once, not
    after the driver's 120 s of transaction retries."""
    calls = 0

    async def disconnected(session: Any) -> bool:
        nonlocal calls
        calls += 1
        raise _labelled(AutoReconnect("connection closed"))

    with pytest.raises(AutoReconnect):
        await write_with_event(disconnected, lambda _: None)
    assert calls == 1
