"""Domain events: the log every change to a booking writes, in the same
transaction as the change (a transactional outbox).

A transition, a payment change, a new booking, a message or a review is
written together with one `DomainEvent` by `write_with_event`: both commit or
neither does, so no change is ever without its event and no event describes a
change that did not happen. Two readers follow the log:

- live updates: each server instance watches this collection's inserts through
  one change stream and fans the events out to its own subscribers;
- the outbox dispatcher (in the jobs): it claims events whose `outbox` is
  pending with a lease, turns each into deliveries (emails, webhooks) and marks
  it dispatched, so every instance may run it.

The event is the outbox record: there is no second copy to keep in step.
"""

from __future__ import annotations

import asyncio
import logging
import random
from collections.abc import Awaitable, Callable
from datetime import datetime
from enum import StrEnum
from typing import TYPE_CHECKING, Any, TypeVar

from beanie import Document, PydanticObjectId
from pydantic import Field
from pymongo.errors import ConnectionFailure, PyMongoError

from gigsta.documents.outbox_leases import LeaseFields
from gigsta.domain.bookings.actions import ActorRole

if TYPE_CHECKING:
    from pymongo.asynchronous.client_session import AsyncClientSession

    from gigsta.documents.bookings import Booking

T = TypeVar("T")

log = logging.getLogger(__name__)


class EventType(StrEnum):
    """What happened. Stable names: partners and consumers key on them."""

    BOOKING_REQUESTED = "booking.requested"
    BOOKING_STATUS_CHANGED = "booking.status_changed"
    PAYMENT_CHANGED = "booking.payment_changed"
    PAYOUT_SENT = "booking.payout_sent"
    MESSAGE_CREATED = "booking.message_created"
    REVIEW_SUBMITTED = "booking.review_submitted"


class OutboxStatus(StrEnum):
    PENDING = "pending"
    DISPATCHED = "dispatched"
    DEAD = "dead"


class OutboxState(LeaseFields):
    """Where the dispatcher is with this event (see `gigsta.resolvers.outbox`)."""

    status: OutboxStatus = OutboxStatus.PENDING


class DomainEvent(Document):
    """One change to a booking, with who may hear of it (its parties)."""

    type: EventType
    booking_id: PydanticObjectId
    customer_id: PydanticObjectId
    worker_id: PydanticObjectId
    # The booking's version after the change (messages and reviews do not
    # change the booking: they carry the version they were written at).
    booking_version: int
    actor_role: ActorRole
    actor_id: str | None = None
    data: dict[str, Any] = Field(default_factory=dict)
    at: datetime
    outbox: OutboxState

    class Settings:
        name = "events"

    @classmethod
    def about(
        cls,
        type: EventType,
        booking: Booking,
        *,
        actor_role: ActorRole,
        actor_id: str | None,
        at: datetime,
        **data: Any,
    ) -> DomainEvent:
        """An event about `booking` as it is after the change."""
        assert booking.id is not None
        return cls(
            type=type,
            booking_id=booking.id,
            customer_id=booking.customer_id,
            worker_id=booking.worker_id,
            booking_version=booking.version,
            actor_role=actor_role,
            actor_id=actor_id,
            data=data,
            at=at,
            outbox=OutboxState(next_attempt_at=at),
        )


# A write conflict between two transactions is retried, a few times: the
# loser's conditional update then sees the winner's write and matches
# nothing. Before each retry the loser pauses a random time up to
# CONFLICT_PAUSE, doubling (2, 4, 8, 16 ms: at most 30 ms in all), so that
# writers racing for the same booking (sweepers walking the same due list in
# the same order) stop meeting in lockstep: retried at once, a loser could
# run all its attempts inside the winner's open transaction. Unbounded
# retries (the driver's `with_transaction` keeps at it for 120 s) would hold
# a request through a database outage that must be answered
# DATABASE_UNAVAILABLE within the server selection timeout; a lost
# connection is never retried here.
TRANSACTION_ATTEMPTS = 5
CONFLICT_PAUSE = 0.002


async def run_transaction(body: Callable[[AsyncClientSession], Awaitable[T]]) -> T:
    """Run `body` in one transaction and return what it returned.

    `body` gets the session to pass to every operation. A transient
    transaction error (a write conflict on a replica set) runs the whole of
    `body` again, at most `TRANSACTION_ATTEMPTS` times in all, so `body` must
    be safe to run again: a conditional update is. A lost connection is not
    retried here.
    """
    client = DomainEvent.get_pymongo_collection().database.client
    async with client.start_session() as session:
        for attempts in range(1, TRANSACTION_ATTEMPTS):
            try:
                async with await session.start_transaction():
                    return await body(session)
            except PyMongoError as exc:
                if not _retryable(exc):
                    raise
                log.info("transaction conflict (attempt %d); retrying", attempts)
                pause = CONFLICT_PAUSE * 2 ** (attempts - 1)
                await asyncio.sleep(random.uniform(0, pause))  # noqa: S311 - jitter
        async with await session.start_transaction():
            return await body(session)


async def write_with_event(
    write: Callable[[AsyncClientSession], Awaitable[T | None]],
    make_event: Callable[[T], DomainEvent | None],
) -> T | None:
    """Run `write` and insert the event it made in one transaction
    (`run_transaction`, so `write` must be safe to run again).

    `write` gets the session to pass to every operation and returns what it
    wrote, or None when it wrote nothing (a conditional update that lost a
    race): then no event is inserted.
    """

    async def body(session: AsyncClientSession) -> T | None:
        result = await write(session)
        if result is None:
            return None
        event = make_event(result)
        if event is not None:
            await event.insert(session=session)
        return result

    return await run_transaction(body)


def _retryable(error: PyMongoError) -> bool:
    return error.has_error_label("TransientTransactionError") and not isinstance(
        error, ConnectionFailure
    )
