"""Deliveries: one message of one event to one recipient over one channel.

The outbox dispatcher fans each domain event out into deliveries (stage 1)
and sends them (stage 2). A unique index on (event_id, channel, recipient)
(migration 0013) makes the fan-out idempotent: a dispatcher that dies halfway
through an event and the one that takes it over write each delivery once.

What a delivery sends is fixed when it is made (`payload`: for email the
rendered message), so a retry sends the same bytes with the same Message-ID.
"""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum
from typing import Any

from beanie import Document, PydanticObjectId
from pydantic import Field

from gigsta.documents.outbox_leases import LeaseFields


class DeliveryStatus(StrEnum):
    PENDING = "pending"
    SENT = "sent"
    DEAD = "dead"


class Delivery(Document, LeaseFields):
    event_id: PydanticObjectId
    booking_id: PydanticObjectId
    # The channel's name (`email`, `webhook`) and, within it, who
    # receives it (email: `user:<id>`, so a changed address is not a new one).
    channel: str
    recipient: str
    notice: str
    payload: dict[str, Any] = Field(default_factory=dict)
    status: DeliveryStatus = DeliveryStatus.PENDING
    created_at: datetime
    sent_at: datetime | None = None
    # Webhooks: when the current run of retries began (a manual redelivery
    # starts a new one); none: at `created_at`.
    retry_from: datetime | None = None

    class Settings:
        name = "deliveries"
