"""Partners with webhook endpoints, made through the API, and the README's
verification snippet, run as a receiver would run it."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import timedelta
from pathlib import Path
from typing import Any

from gigsta.documents import Delivery
from gigsta.resolvers.outbox import Outbox
from gigsta.resolvers.outbox.webhooks import WebhookChannel
from tests.schema.partners_helpers import make_key, make_partner
from tests.schema.test_bookings import booking_input

ALL = ["WORKERS_READ", "BOOKINGS_READ", "BOOKINGS_WRITE", "WEBHOOKS_MANAGE"]
CREATE = """mutation($i: CreateWebhookEndpointInput!) {
  createWebhookEndpoint(input: $i) {
    endpoint { id url eventTypes enabled disabledReason } secret
    errors { field code message } } }"""
REQUEST = """mutation($input: RequestBookingInput!) { requestBooking(input: $input) {
  booking { id } errors { field code message } } }"""
DELIVERIES = """query($e: ID!, $first: Int!, $after: String) {
  webhookDeliveries(endpointId: $e, first: $first, after: $after) {
    nodes { id eventId eventType status body
            attempts { at statusCode error durationMs success } }
    endCursor hasNextPage } }"""
REDELIVER = """mutation($i: RedeliverWebhookInput!) { redeliverWebhook(input: $i) {
  delivery { id status } errors { field code message } } }"""


@dataclass
class Hooked:
    key: str
    partner: str
    endpoint: str
    secret: str


def readme_verifier() -> Any:
    """`verify_gigsta_webhook` exactly as the README documents it."""
    readme = (Path(__file__).parents[2] / "README.md").read_text()
    block = re.search(
        r"<!-- webhook-verify-python -->\n```python\n(.*?)```", readme, re.S
    )
    assert block is not None, "the README lost its Python verification snippet"
    namespace: dict[str, Any] = {}
    exec(block.group(1), namespace)  # noqa: S102 - our own README's snippet
    return namespace["verify_gigsta_webhook"]


async def hooked_partner(
    gql, cast, url: str, types: list[str] | None = None, name: str = "Harbour PM"
) -> Hooked:
    partner = await make_partner(gql, cast.admin.token, name)
    key = (await make_key(gql, cast.admin.token, partner, ALL))["key"]
    made = await gql(
        CREATE, {"i": {"url": url, "eventTypes": types or ["BOOKING_REQUESTED"]}}, key
    )
    payload = made["createWebhookEndpoint"]
    assert payload["errors"] == [], payload["errors"]
    return Hooked(key, partner, payload["endpoint"]["id"], payload["secret"])


async def partner_books(gql, cast, clock, key: str) -> str:
    data = await gql(REQUEST, booking_input(cast, clock), key)
    assert data["requestBooking"]["errors"] == []
    booking: str = data["requestBooking"]["booking"]["id"]
    return booking


async def hooked_booking(gql, cast, clock, url: str) -> Hooked:
    """A partner with an endpoint at `url` that has requested one booking."""
    hooked = await hooked_partner(gql, cast, url)
    await partner_books(gql, cast, clock, hooked.key)
    return hooked


def webhook_outbox(clock, *, allow_private: bool = True) -> Outbox:
    channel = WebhookChannel(
        clock, allow_private=allow_private, timeout=5.0, mail_domain="gigsta.test"
    )
    return Outbox(channels=(channel,), lease=timedelta(seconds=60))


async def webhook_deliveries() -> list[Delivery]:
    return await Delivery.find({"channel": "webhook"}).to_list()
