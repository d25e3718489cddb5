"""Partners' webhook endpoints and the log of every attempt to reach them.

An endpoint's deliveries are ordinary outbox `Delivery` records (channel
`webhook`, recipient `endpoint:<id>:<type>`); each HTTP attempt adds one
`WebhookAttempt`, listed by delivery (index in migration 0017).
"""

from __future__ import annotations

from datetime import datetime

from beanie import Document, PydanticObjectId

from gigsta.domain.webhooks import WebhookEventType


class WebhookEndpoint(Document):
    """Where a partner receives the events it subscribed to. The signing
    secret is kept in clear: signing needs it (it is shown once, at
    creation, and never returned by the API again)."""

    partner_id: PydanticObjectId
    url: str
    event_types: list[WebhookEventType]
    secret: str
    created_at: datetime
    enabled: bool = True
    disabled_at: datetime | None = None
    disabled_reason: str | None = None
    # The first failure since the last success: 3 days of it disables it.
    failing_since: datetime | None = None
    deleted: bool = False

    class Settings:
        name = "webhook_endpoints"


class WebhookAttempt(Document):
    """One HTTP attempt of a delivery: when, how it ended, how long it took."""

    delivery_id: PydanticObjectId
    endpoint_id: PydanticObjectId
    at: datetime
    status_code: int | None = None
    error: str | None = None
    duration_ms: int
    success: bool

    class Settings:
        name = "webhook_attempts"
