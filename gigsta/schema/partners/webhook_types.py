"""Webhook endpoints, their deliveries and each delivery's attempts, as their
partner's keys (and admins) see them."""

from __future__ import annotations

from datetime import datetime
from typing import TYPE_CHECKING

import strawberry

from gigsta.documents import Delivery as DeliveryDoc
from gigsta.documents import WebhookEndpoint as EndpointDoc
from gigsta.documents.webhooks import WebhookAttempt as AttemptDoc
from gigsta.domain.webhooks import WebhookEventType
from gigsta.resolvers import webhooks
from gigsta.schema.core import nodes
from gigsta.schema.core.enums import expose
from gigsta.schema.core.fields import doc_field
from gigsta.schema.partners.types import admin_or_own

if TYPE_CHECKING:
    from gigsta.domain.accounts import Viewer

expose(
    WebhookEventType,
    name="WebhookEventType",
    description="What a webhook endpoint may subscribe to, about the bookings "
    "its partner requested. The payload's `type` is the value in quotes.",
    values={
        WebhookEventType.BOOKING_REQUESTED: "`booking.requested`: a booking was "
        "requested.",
        WebhookEventType.BOOKING_STATUS_CHANGED: "`booking.status_changed`: an "
        "action moved the booking to another status.",
        WebhookEventType.BOOKING_PAYMENT_CHANGED: "`booking.payment_changed`: the "
        "payment's status changed.",
        WebhookEventType.PAYMENT_CAPTURED: "`payment.captured`: the payment was "
        "captured (also sent as `booking.payment_changed`).",
        WebhookEventType.BOOKING_MESSAGE_CREATED: "`booking.message_created`: a "
        "message was sent on the booking.",
        WebhookEventType.BOOKING_REVIEW_SUBMITTED: "`booking.review_submitted`: "
        "a review of the booking was submitted.",
    },
)


def owns_delivery(viewer: Viewer | None, delivery: DeliveryDoc) -> bool:
    """A webhook delivery, for admins and its partner's keys."""
    partner_id = delivery.payload.get("partner_id")
    return delivery.channel == "webhook" and admin_or_own(viewer, partner_id)


def owns_endpoint(viewer: Viewer | None, endpoint: EndpointDoc) -> bool:
    """An endpoint not deleted, for admins and its partner's keys."""
    return not endpoint.deleted and admin_or_own(viewer, endpoint.partner_id)


@strawberry.type(description="One HTTP attempt of a webhook delivery.")
class WebhookAttempt:
    doc: strawberry.Private[AttemptDoc]

    at = doc_field(datetime, description="When it was made.")
    status_code = doc_field(
        int | None,
        description="The receiver's HTTP status; null on a network error or a "
        "refused address.",
    )
    error = doc_field(
        str | None, description="What went wrong before any answer, if anything."
    )
    duration_ms = doc_field(int, description="How long it took, in ms.")
    success = doc_field(bool, description="Whether the answer was 2xx.")


@strawberry.type(
    description="One event sent (or being sent) to one webhook endpoint, with "
    "every attempt."
)
class WebhookDelivery(nodes.DocumentNode[DeliveryDoc], may_see=owns_delivery):
    status = doc_field(str, description="`pending` (being tried), `sent` or `dead`.")
    created_at = doc_field(datetime, description="When it was made.")
    sent_at = doc_field(datetime | None, description="When the receiver accepted it.")
    next_attempt_at = doc_field(datetime, description="When it is (or was) next tried.")

    @strawberry.field(description="The event's id (also `GigSta-Event-Id`).")
    def event_id(self) -> str:
        return str(self.doc.event_id)

    @strawberry.field(description="The event type sent.")
    def event_type(self) -> str:
        return self.doc.notice

    @strawberry.field(description="The JSON body sent, exactly.")
    def body(self) -> str:
        body: str = self.doc.payload["body"]
        return body

    @strawberry.field(description="Its attempts, oldest first.")
    async def attempts(self) -> list[WebhookAttempt]:
        assert self.doc.id is not None
        return [WebhookAttempt(doc=a) for a in await webhooks.attempts_of(self.doc.id)]


@strawberry.type(
    description="Where a partner receives the events it subscribed to, signed "
    "with its secret (shown once, by `createWebhookEndpoint`)."
)
class WebhookEndpoint(nodes.DocumentNode[EndpointDoc], may_see=owns_endpoint):
    url = doc_field(str, description="Where events are POSTed.")
    event_types = doc_field(list[WebhookEventType], description="What it receives.")
    enabled = doc_field(bool, description="Whether events are sent.")
    created_at = doc_field(datetime, description="When it was made.")
    disabled_at = doc_field(
        datetime | None, description="When it was disabled, if it is."
    )
    disabled_reason = doc_field(
        str | None,
        description="Why it was disabled: by its owner, or after 3 days of "
        "failed deliveries.",
    )
