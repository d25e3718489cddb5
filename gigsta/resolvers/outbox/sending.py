"""Stage 2: claim due deliveries, send each, mark it sent.

Delivery is at least once. A delivery is claimed with a lease before it is
sent and marked sent after the channel accepted it. A dispatcher killed before
the server accepted the message leaves the delivery leased and unsent: once
the lease has passed another dispatcher sends it, so it still goes exactly
once. A dispatcher killed after the server accepted the message but before it
was marked sent cannot be told apart from one killed just before: the message
goes again, with the same Message-ID (so a provider or mail client can drop
the repeat). A failed send is retried with exponential backoff on
the channel's schedule (`Channel.retry_in`); after the last attempt, or at once
for a permanent refusal, the delivery is marked dead and logged.
"""

from __future__ import annotations

import logging
from typing import TYPE_CHECKING

from gigsta.documents import Delivery
from gigsta.documents.outbox_leases import LeaseBook
from gigsta.resolvers.outbox.channels import PermanentDeliveryError

if TYPE_CHECKING:
    from collections.abc import Mapping
    from datetime import timedelta

    from gigsta.documents.outbox_leases import Leased
    from gigsta.resolvers.outbox.channels import Channel
    from gigsta.runtime import Clock

log = logging.getLogger(__name__)


def delivery_leases() -> LeaseBook:
    return LeaseBook(Delivery.get_pymongo_collection(), "", "sent")


async def send_due(
    clock: Clock, channels: Mapping[str, Channel], lease: timedelta, limit: int
) -> dict[str, int]:
    """Send up to `limit` due deliveries of the channels configured here."""
    book = delivery_leases()
    report = {"sent": 0, "retried": 0, "dead": 0}
    only_ours = {"channel": {"$in": sorted(channels)}}
    for _ in range(limit):
        held = await book.claim(clock(), lease, only_ours)
        if held is None:
            break
        delivery = Delivery.model_validate(held.raw)
        outcome = await _send_one(
            book, held, delivery, channels[delivery.channel], clock
        )
        report[outcome] += 1
    return report


async def _send_one(
    book: LeaseBook, held: Leased, delivery: Delivery, channel: Channel, clock: Clock
) -> str:
    try:
        await channel.send(delivery)
    except Exception as error:
        now = clock()
        final = isinstance(error, PermanentDeliveryError)
        delay = None if final else channel.retry_in(delivery, held.attempts, now)
        if await book.fail_with(held, now, repr(error), delay):
            log.exception(
                "delivery %s (%s to %s) is dead after %d attempts",
                delivery.id,
                delivery.channel,
                delivery.recipient,
                held.attempts,
            )
            return "dead"
        log.warning(
            "delivery %s failed (attempt %d); will retry: %r",
            delivery.id,
            held.attempts,
            error,
            exc_info=True,
        )
        return "retried"
    await book.finish(held, {"sent_at": clock()})
    return "sent"
