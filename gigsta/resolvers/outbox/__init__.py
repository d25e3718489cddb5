"""The outbox dispatcher: delivers domain events to people outside the API.

Run by the sweeper loop in every server instance and by
`python -m gigsta.jobs outbox`; any number may run at once. Each pass does
two stages, each claiming one record at a time with a lease
(`gigsta.documents.outbox_leases`):

1. `fanout`: a pending event becomes deliveries (one per channel and
   recipient, idempotent through a unique index) and is marked dispatched;
2. `sending`: each due delivery is sent and marked sent, or retried with
   backoff on the channel's schedule (email: 30 s doubling to 32 min, 8
   attempts; webhooks: 1 min doubling to 6 h, for 3 days), then marked dead.

Delivery is at least once: see `sending` for the one case that repeats a
message, and why a repeat carries the same Message-ID.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta
from typing import TYPE_CHECKING

from gigsta.integrations.smtp import smtp_from_settings
from gigsta.resolvers.outbox.channels import EmailChannel
from gigsta.resolvers.outbox.fanout import fan_out_due
from gigsta.resolvers.outbox.sending import send_due
from gigsta.resolvers.outbox.webhooks import WebhookChannel
from gigsta.runtime import Clock, utc_now

if TYPE_CHECKING:
    from gigsta.resolvers.outbox.channels import Channel
    from gigsta.settings import Settings


@dataclass(frozen=True, slots=True)
class Outbox:
    """The channels this process sends through and how long its leases last
    (longer than one send may take: see `GIGSTA_OUTBOX_LEASE_SECONDS`)."""

    channels: tuple[Channel, ...]
    lease: timedelta
    # Records claimed per stage in one pass; the rest wait for the next pass.
    batch: int = 200


async def dispatch(clock: Clock, outbox: Outbox) -> dict[str, int]:
    """One pass of both stages; counts of what happened."""
    by_name = {c.name: c for c in outbox.channels}
    report = await fan_out_due(clock, outbox.channels, outbox.lease, outbox.batch)
    report |= await send_due(clock, by_name, outbox.lease, outbox.batch)
    return report


def outbox_from_settings(settings: Settings, clock: Clock = utc_now) -> Outbox | None:
    """None when no email is configured: events then stay pending (nothing
    is lost, webhooks included) until it is."""
    mailer = smtp_from_settings(settings)
    if mailer is None:
        return None
    webhooks = WebhookChannel(
        clock,
        allow_private=settings.webhooks_allow_private,
        timeout=settings.webhook_timeout_seconds,
        mail_domain=mailer.config.sender_domain,
    )
    return Outbox(
        channels=(EmailChannel(mailer), webhooks),
        lease=timedelta(seconds=settings.outbox_lease_seconds),
    )
