"""Partner webhooks: event names, the signed envelope, the retry schedule and
which receiver addresses are refused (pure: no I/O, `now` passed in).

A delivery's body is JSON: `{"id", "type", "created", "data"}`, `id` being the
domain event's id (the same on every attempt and redelivery, so a receiver
detects a replay by it). It is signed as Stripe signs its webhooks: HMAC-SHA256
with the endpoint's secret over `f"{timestamp}.{body}"`, sent as
`GigSta-Signature: t=<unix seconds>,v1=<hex digest>`.

A failed attempt is retried 1 min later, doubling to at most 6 h, for 3 days
after the delivery's first attempt; an endpoint that has failed without one
success for 3 days is disabled, and the partner's contact is emailed
(`disabled_notice`).
"""

from __future__ import annotations

import hashlib
import hmac
import ipaddress
import json
from datetime import datetime, timedelta
from enum import StrEnum
from typing import Any
from urllib.parse import urlsplit

from gigsta.domain.core import ErrorCode, UserError
from gigsta.domain.notifications.templates import Email

SECRET_PREFIX = "whsec_"
SIGNATURE_HEADER = "GigSta-Signature"
EVENT_ID_HEADER = "GigSta-Event-Id"
RETRY_BASE = timedelta(minutes=1)
RETRY_CAP = timedelta(hours=6)
RETRY_WINDOW = timedelta(days=3)
MAX_URL_LENGTH = 2000
MAX_ENDPOINTS_PER_PARTNER = 10


class WebhookEventType(StrEnum):
    """What a partner may subscribe to (about the bookings it requested)."""

    BOOKING_REQUESTED = "booking.requested"
    BOOKING_STATUS_CHANGED = "booking.status_changed"
    BOOKING_PAYMENT_CHANGED = "booking.payment_changed"
    PAYMENT_CAPTURED = "payment.captured"
    BOOKING_MESSAGE_CREATED = "booking.message_created"
    BOOKING_REVIEW_SUBMITTED = "booking.review_submitted"


_DIRECT = {
    "booking.requested": WebhookEventType.BOOKING_REQUESTED,
    "booking.status_changed": WebhookEventType.BOOKING_STATUS_CHANGED,
    "booking.payment_changed": WebhookEventType.BOOKING_PAYMENT_CHANGED,
    "booking.message_created": WebhookEventType.BOOKING_MESSAGE_CREATED,
    "booking.review_submitted": WebhookEventType.BOOKING_REVIEW_SUBMITTED,
}


def webhook_types(event_type: str, data: dict[str, Any]) -> list[WebhookEventType]:
    """The webhook event types a domain event is delivered as (a payment
    change that captured the money is also `payment.captured`)."""
    found = [_DIRECT[event_type]] if event_type in _DIRECT else []
    captured = data.get("payment_status") == "captured"
    if captured and data.get("previous_payment_status") != "captured":
        found.append(WebhookEventType.PAYMENT_CAPTURED)
    return found


def envelope(
    event_id: str, type: WebhookEventType, created: datetime, data: dict[str, Any]
) -> str:
    """The body sent, as compact JSON with sorted keys (stable bytes)."""
    body = {
        "id": event_id,
        "type": type.value,
        "created": int(created.timestamp()),
        "data": data,
    }
    return json.dumps(body, sort_keys=True, separators=(",", ":"), default=str)


def sign(secret: str, timestamp: int, body: str) -> str:
    """The `GigSta-Signature` header value for `body` sent at `timestamp`."""
    digest = hmac.new(
        secret.encode(), f"{timestamp}.{body}".encode(), hashlib.sha256
    ).hexdigest()
    return f"t={timestamp},v1={digest}"


def retry_in(attempts: int, first_attempt: datetime, now: datetime) -> timedelta | None:
    """How long after failed attempt number `attempts` to try again: the
    last try falls at the end of the 3-day window; None after it (give up)."""
    exponent = min(max(attempts - 1, 0), 16)
    delay: timedelta = min(RETRY_BASE * (2**exponent), RETRY_CAP)
    end = first_attempt + RETRY_WINDOW
    if now >= end:
        return None
    return min(delay, end - now)


def failing_too_long(failing_since: datetime | None, now: datetime) -> bool:
    """Whether an endpoint has failed, with no success, for the whole window."""
    return failing_since is not None and now - failing_since >= RETRY_WINDOW


def disabled_reason(failing_since: datetime, now: datetime) -> str:
    return (
        f"Every delivery failed from {failing_since.isoformat()} to {now.isoformat()}."
    )


def disabled_notice(
    *, partner_name: str, endpoint_id: str, url: str, reason: str
) -> Email:
    """The email telling a partner's contact that an endpoint was disabled,
    and how to turn it back on."""
    lines = [
        f"Hello {partner_name},",
        "",
        f"We have stopped sending webhooks to {url}",
        f"(endpoint {endpoint_id}). {reason}",
        "",
        "Deliveries that were still being retried are marked dead, and new",
        "events are not queued for this endpoint while it is disabled.",
        "",
        "Once the receiver answers with a 2xx again:",
        "- turn the endpoint back on with the enableWebhookEndpoint mutation;",
        "- list what it missed with webhookDeliveries, and send each again",
        "  with redeliverWebhook.",
        "",
        "The GigSta team",
    ]
    return Email(
        subject="GigSta: your webhook endpoint was disabled",
        body="\n".join(lines) + "\n",
    )


def refused_address(address: str) -> bool:
    """Whether a receiver may not be at this IP address: private, loopback,
    link-local, multicast, reserved, unspecified or otherwise not global (an
    IPv4-mapped IPv6 address is judged as the IPv4 address it maps)."""
    ip = ipaddress.ip_address(address.split("%", 1)[0])
    if isinstance(ip, ipaddress.IPv6Address) and ip.ipv4_mapped is not None:
        ip = ip.ipv4_mapped
    return (
        not ip.is_global  # also shared (CGNAT) and documentation ranges
        or ip.is_private
        or ip.is_loopback
        or ip.is_link_local
        or ip.is_multicast
        or ip.is_reserved
        or ip.is_unspecified
    )


def url_errors(url: str, *, allow_private: bool) -> list[UserError]:
    """What is wrong with a receiver URL before resolving it: https only
    (plain http too when private receivers are allowed, in development), a
    host, no credentials, and no literal refused address."""
    if len(url) > MAX_URL_LENGTH:
        message = f"At most {MAX_URL_LENGTH} characters."
        return [UserError("url", ErrorCode.TOO_LONG, message)]
    parts = urlsplit(url)
    schemes = {"https", "http"} if allow_private else {"https"}
    if parts.scheme not in schemes or not parts.hostname:
        message = "Give an https:// URL."
        return [UserError("url", ErrorCode.INVALID, message)]
    if parts.username or parts.password:
        message = "A webhook URL may not carry credentials."
        return [UserError("url", ErrorCode.INVALID, message)]
    try:
        literal = refused_address(parts.hostname)
    except ValueError:
        literal = False  # a name: resolved and checked by the caller
    if literal and not allow_private:
        return [UserError("url", ErrorCode.INVALID, PRIVATE_MESSAGE)]
    return []


PRIVATE_MESSAGE = "The URL points at a private or reserved address."
