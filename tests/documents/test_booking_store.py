"""The booking store against the real database."""

from __future__ import annotations

import bson

from gigsta.documents.booking_store import apply_transition
from gigsta.domain.bookings.actions import (
    ACTIONS,
    ActorRole,
    BookingEventData,
    BookingStatus,
    Transition,
    decide,
)
from gigsta.domain.bookings.limits import MAX_HISTORY_ENTRIES, MAX_REASON_LENGTH
from tests.documents.factories import new_booking

# Far below MongoDB's 16 MB, whatever the parties send.
MAX_BOOKING_BYTES = 200_000


async def test_history_is_capped_so_a_booking_cannot_outgrow_mongodb(
    app, raw_db, clock
):
    """The 16 MB attack: many transitions, each with the longest reason allowed.

    The action table has no cycle today, so the repeated transition is built
    by hand (REQUESTED to REQUESTED); the store must bound the history
    whatever the table allows.
    """
    now = clock.now
    booking = new_booking(now)
    await booking.insert()
    longest = "r" * MAX_REASON_LENGTH
    for n in range(3 * MAX_HISTORY_ENTRIES):
        event = BookingEventData(
            action="decline",
            from_status=BookingStatus.REQUESTED,
            to_status=BookingStatus.REQUESTED,
            actor_role=ActorRole.WORKER,
            actor_id=str(booking.worker_id),
            note=f"entry {n}",
            reason=longest,
            at=now,
        )
        updated = await apply_transition(booking, Transition(ACTIONS["decline"], event))
        assert updated is not None, f"transition {n} failed"
        booking = updated

    raw = await raw_db.bookings.find_one({"_id": booking.id})
    assert len(bson.encode(raw)) < MAX_BOOKING_BYTES
    assert len(booking.history) == MAX_HISTORY_ENTRIES
    assert booking.history[-1].note == f"entry {3 * MAX_HISTORY_ENTRIES - 1}"
    assert booking.version == 1 + 3 * MAX_HISTORY_ENTRIES
    # The booking still takes real transitions.
    accept = decide(booking.facts(), "accept", ActorRole.WORKER, now)
    assert isinstance(accept, Transition)
    accepted = await apply_transition(booking, accept)
    assert accepted is not None
    assert accepted.status is BookingStatus.ACCEPTED
    assert accepted.history[-1].action == "accept"
    assert len(accepted.history) == MAX_HISTORY_ENTRIES
