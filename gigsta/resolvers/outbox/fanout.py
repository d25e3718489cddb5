"""Stage 1: claim pending events, fan each out into deliveries, mark it
dispatched.

An event is claimed with a lease; its deliveries are upserted on their unique
key (event, channel, recipient), so a dispatcher that dies after writing some
of them, and the one that takes the event over when the lease has passed,
together write each delivery exactly once. A failure (the database, a bug in a
template) is retried with backoff; after `MAX_ATTEMPTS` the event is dead.
"""

from __future__ import annotations

import logging
from contextlib import suppress
from typing import TYPE_CHECKING

from pymongo.errors import DuplicateKeyError

from gigsta.documents import Delivery, DomainEvent
from gigsta.documents.outbox_leases import LeaseBook
from gigsta.resolvers.outbox.context import load_context

if TYPE_CHECKING:
    from collections.abc import Sequence
    from datetime import datetime, timedelta

    from gigsta.resolvers.outbox.channels import Channel, Draft
    from gigsta.runtime import Clock

log = logging.getLogger(__name__)

# Fields that make a delivery's identity: in the upsert's filter, so not set.
_KEY = frozenset({"event_id", "channel", "recipient"})


def event_leases() -> LeaseBook:
    return LeaseBook(DomainEvent.get_pymongo_collection(), "outbox.", "dispatched")


async def write_delivery(
    event: DomainEvent, channel: str, draft: Draft, now: datetime
) -> None:
    """Insert the delivery unless it is there already (a retried fan-out)."""
    assert event.id is not None
    delivery = Delivery(
        event_id=event.id,
        booking_id=event.booking_id,
        channel=channel,
        recipient=draft.recipient,
        notice=draft.notice,
        payload=draft.payload,
        next_attempt_at=now,
        created_at=now,
    )
    fields = delivery.model_dump(mode="python", exclude={"id", "revision_id", *_KEY})
    # DuplicateKeyError: another dispatcher's upsert of it won the race.
    with suppress(DuplicateKeyError):
        await Delivery.get_pymongo_collection().update_one(
            {"event_id": event.id, "channel": channel, "recipient": draft.recipient},
            {"$setOnInsert": fields},
            upsert=True,
        )


async def fan_out(
    event: DomainEvent, channels: Sequence[Channel], now: datetime
) -> int:
    """Write the event's deliveries on every channel; how many it makes."""
    context = await load_context(event)
    if context is None:
        return 0
    made = 0
    for channel in channels:
        for draft in await channel.drafts(context):
            await write_delivery(event, channel.name, draft, now)
            made += 1
    return made


async def fan_out_due(
    clock: Clock, channels: Sequence[Channel], lease: timedelta, limit: int
) -> dict[str, int]:
    """Fan out up to `limit` due events, one claim at a time."""
    book = event_leases()
    report = {"events_dispatched": 0, "events_failed": 0, "events_dead": 0}
    for _ in range(limit):
        held = await book.claim(clock(), lease)
        if held is None:
            break
        event = DomainEvent.model_validate(held.raw)
        try:
            await fan_out(event, channels, clock())
        except Exception as error:
            log.warning("fan-out of event %s failed", event.id, exc_info=True)
            report["events_failed"] += 1
            if await book.fail(held, clock(), repr(error)):
                report["events_dead"] += 1
                log.exception(
                    "event %s is dead after %d attempts",
                    event.id,
                    held.attempts,
                )
            continue
        if await book.finish(held):
            report["events_dispatched"] += 1
    return report
