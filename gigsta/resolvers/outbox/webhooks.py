"""The partner webhook channel: one delivery per endpoint and event type,
sent as a signed POST, each attempt logged.

Fan-out drafts a delivery for every enabled endpoint of the partner that
requested the booking and subscribed to the event's type (recipient
`endpoint:<id>:<type>`, so the unique index sends each once). The body is
fixed then; the signature is made at each attempt (its timestamp is the
attempt's). A 2xx answer is success; any other answer or a network error is
retried on `gigsta.domain.webhooks.retry_in` (1 min doubling to 6 h, for 3
days). An endpoint that has failed for 3 days with no success between is
disabled (`disabledReason`, logged at ERROR): its pending deliveries die at
their next attempt. In the same transaction as the disabling, an email to the
partner's contact address (when it has one) is queued as an ordinary email
delivery, so the owner is told exactly once, with the email channel's
retries, and never without the endpoint being disabled.
"""

from __future__ import annotations

import logging
from typing import TYPE_CHECKING, Any

from gigsta.documents import Delivery, Partner, WebhookAttempt, WebhookEndpoint
from gigsta.documents.events import run_transaction
from gigsta.domain.webhooks import (
    EVENT_ID_HEADER,
    SIGNATURE_HEADER,
    disabled_notice,
    disabled_reason,
    envelope,
    failing_too_long,
    retry_in,
    sign,
    webhook_types,
)
from gigsta.integrations.smtp import message_id
from gigsta.integrations.webhook_http import (
    PostResult,
    UnsafeAddressError,
    check_host,
    post,
)
from gigsta.resolvers.outbox.channels import (
    Draft,
    PermanentDeliveryError,
    email_payload,
)

if TYPE_CHECKING:
    from datetime import datetime, timedelta

    from pymongo.asynchronous.client_session import AsyncClientSession

    from gigsta.domain.webhooks import WebhookEventType
    from gigsta.resolvers.outbox.context import EventContext
    from gigsta.runtime import Clock

log = logging.getLogger(__name__)


def event_data(context: EventContext) -> dict[str, Any]:
    """What a webhook says happened: the booking (its raw id, as in the
    API's `Booking` global id) and the event's own facts."""
    event = context.event
    return {
        "booking_id": str(event.booking_id),
        "booking_version": event.booking_version,
        "actor_role": event.actor_role.value,
        **event.data,
    }


class WebhookChannel:
    """Signed POSTs to partners' endpoints."""

    name = "webhook"

    def __init__(
        self, clock: Clock, *, allow_private: bool, timeout: float, mail_domain: str
    ) -> None:
        self.clock = clock
        self.allow_private = allow_private
        self.timeout = timeout
        # For the Message-ID of the email telling an owner of a disabled
        # endpoint (the email channel's sender domain).
        self.mail_domain = mail_domain

    async def drafts(self, context: EventContext) -> list[Draft]:
        partner_id = context.booking.partner_id
        types = webhook_types(context.event.type.value, context.event.data)
        if partner_id is None or not types:
            return []
        endpoints = await WebhookEndpoint.find(
            {"partner_id": partner_id, "enabled": True, "deleted": False}
        ).to_list()
        return [
            self._draft(context, endpoint, type)
            for endpoint in endpoints
            for type in types
            if type in endpoint.event_types
        ]

    def _draft(
        self, context: EventContext, endpoint: WebhookEndpoint, type: WebhookEventType
    ) -> Draft:
        event = context.event
        body = envelope(str(event.id), type, event.at, event_data(context))
        return Draft(
            recipient=f"endpoint:{endpoint.id}:{type.value}",
            notice=type.value,
            payload={
                "endpoint_id": endpoint.id,
                "partner_id": endpoint.partner_id,
                "body": body,
            },
        )

    def retry_in(
        self, delivery: Delivery, attempts: int, now: datetime
    ) -> timedelta | None:
        return retry_in(attempts, delivery.retry_from or delivery.created_at, now)

    async def send(self, delivery: Delivery) -> None:
        endpoint = await WebhookEndpoint.get(delivery.payload["endpoint_id"])
        if endpoint is None or endpoint.deleted or not endpoint.enabled:
            raise PermanentDeliveryError("the endpoint is disabled or deleted")
        result = await self.attempt(delivery, endpoint)
        if not result.success:
            await self._failed(endpoint, delivery)
            raise RuntimeError(result.error or f"HTTP {result.status_code}")
        if endpoint.failing_since is not None:
            await WebhookEndpoint.get_pymongo_collection().update_one(
                {"_id": endpoint.id}, {"$set": {"failing_since": None}}
            )

    async def attempt(
        self, delivery: Delivery, endpoint: WebhookEndpoint
    ) -> PostResult:
        """One signed POST, logged as a `WebhookAttempt` whatever its end."""
        now = self.clock()
        body: str = delivery.payload["body"]
        try:
            await check_host(endpoint.url, allow_private=self.allow_private)
        except UnsafeAddressError as refused:
            result = PostResult(status_code=None, error=str(refused), duration_ms=0)
        else:
            stamp = int(now.timestamp())
            headers = {
                SIGNATURE_HEADER: sign(endpoint.secret, stamp, body),
                EVENT_ID_HEADER: str(delivery.event_id),
            }
            result = await post(
                endpoint.url, body, headers, timeout_seconds=self.timeout
            )
        assert delivery.id is not None and endpoint.id is not None
        await WebhookAttempt(
            delivery_id=delivery.id,
            endpoint_id=endpoint.id,
            at=now,
            status_code=result.status_code,
            error=result.error,
            duration_ms=result.duration_ms,
            success=result.success,
        ).insert()
        return result

    async def _failed(self, endpoint: WebhookEndpoint, delivery: Delivery) -> None:
        """Note the failure; disable the endpoint after 3 days of them."""
        now = self.clock()
        if endpoint.failing_since is None:
            await WebhookEndpoint.get_pymongo_collection().update_one(
                {"_id": endpoint.id, "failing_since": None},
                {"$set": {"failing_since": now}},
            )
            return
        if not failing_too_long(endpoint.failing_since, now):
            return
        reason = disabled_reason(endpoint.failing_since, now)
        if await self._disable(endpoint, delivery, reason, now):
            log.error("webhook endpoint %s disabled: %s", endpoint.id, reason)
        raise PermanentDeliveryError(reason)

    async def _disable(
        self, endpoint: WebhookEndpoint, cause: Delivery, reason: str, now: datetime
    ) -> bool:
        """Disable the endpoint and queue the email to its owner, in one
        transaction; False when another dispatcher disabled it first."""
        notice = await self._owner_notice(endpoint, cause, reason, now)

        async def body(session: AsyncClientSession) -> bool:
            changed = await WebhookEndpoint.get_pymongo_collection().update_one(
                {"_id": endpoint.id, "enabled": True},
                {
                    "$set": {
                        "enabled": False,
                        "disabled_at": now,
                        "disabled_reason": reason,
                    }
                },
                session=session,
            )
            if not changed.modified_count:
                return False
            if notice is not None:
                await notice.insert(session=session)
            return True

        return await run_transaction(body)

    async def _owner_notice(
        self, endpoint: WebhookEndpoint, cause: Delivery, reason: str, now: datetime
    ) -> Delivery | None:
        """The email delivery telling the partner's contact, or None when the
        partner has no contact address."""
        partner = await Partner.get(endpoint.partner_id)
        if partner is None or partner.contact_email is None:
            return None
        email = disabled_notice(
            partner_name=partner.name,
            endpoint_id=str(endpoint.id),
            url=endpoint.url,
            reason=reason,
        )
        # One per disabling: the time keeps a later disabling (after the
        # endpoint was turned back on) a delivery of its own.
        recipient = f"partner:{partner.id}:endpoint:{endpoint.id}:{now.isoformat()}"
        return Delivery(
            event_id=cause.event_id,
            booking_id=cause.booking_id,
            channel="email",
            recipient=recipient,
            notice="webhook_endpoint.disabled",
            payload=email_payload(
                (partner.name, partner.contact_email),
                email,
                message_id(str(cause.event_id), recipient, self.mail_domain),
                now,
            ),
            next_attempt_at=now,
            created_at=now,
        )
