"""`POST /webhooks/stripe`: verified, applied at most once, order-proof.

- The `Stripe-Signature` header is checked against the raw body with the
  webhook secret; a bad or missing signature gets 400 and changes nothing.
- Each event id is inserted into `stripe_events` (unique index) before it is
  applied, so a replayed delivery is acknowledged without effect. If applying
  fails, the record is removed again so Stripe's retry can apply it.
- Events are treated as a nudge, not as the truth: the handler re-reads the
  PaymentIntent (or account) from Stripe and moves the booking to match, so
  deliveries arriving out of order cannot move a booking backwards.
"""

from __future__ import annotations

import logging
from typing import TYPE_CHECKING, Any

from pymongo.errors import DuplicateKeyError
from starlette.responses import JSONResponse

from gigsta.documents import Booking, StripeEvent, Worker
from gigsta.integrations.stripe_gateway import (
    InvalidSignatureError,
    PaymentGatewayError,
)
from gigsta.resolvers.payments.sync import sync_from_intent

if TYPE_CHECKING:
    from datetime import datetime

    from starlette.requests import Request

    from gigsta.integrations.stripe_gateway import StripeGateway
    from gigsta.resolvers.payments.config import Payments

log = logging.getLogger(__name__)

INTENT_EVENTS = frozenset(
    {
        "payment_intent.amount_capturable_updated",
        "payment_intent.succeeded",
        "payment_intent.payment_failed",
        "payment_intent.canceled",
        "payment_intent.requires_action",
    }
)


async def stripe_webhook(request: Request) -> JSONResponse:
    """The HTTP endpoint; the process's payments and clock come from the app."""
    payments: Payments | None = request.app.state.runtime.payments
    if payments is None:
        return JSONResponse({"error": "payments are not configured"}, 404)
    return await receive_event(
        payments.gateway,
        await request.body(),
        request.headers.get("stripe-signature"),
        request.app.state.runtime.clock(),
    )


async def receive_event(
    gateway: StripeGateway, payload: bytes, signature: str | None, now: datetime
) -> JSONResponse:
    """Verify, record once, apply; the answer tells Stripe whether to retry."""
    try:
        event = gateway.verify_event(payload, signature)
    except InvalidSignatureError:
        return JSONResponse({"error": "invalid signature"}, 400)
    event_id, event_type = str(event.get("id", "")), str(event.get("type", ""))
    obj: dict[str, Any] = (event.get("data") or {}).get("object") or {}
    if not event_id:
        return JSONResponse({"error": "event without id"}, 400)
    record = StripeEvent(
        event_id=event_id,
        type=event_type,
        received_at=now,
        object_id=str(obj.get("id")) if obj.get("id") else None,
    )
    try:
        await record.insert()
    except DuplicateKeyError:
        return JSONResponse({"received": True, "duplicate": True})
    try:
        await apply_event(gateway, event_type, obj, now)
    except PaymentGatewayError as exc:
        await record.delete()
        log.warning("webhook %s not applied (Stripe: %s)", event_id, exc.message)
        return JSONResponse({"error": "try again"}, 503)
    except BaseException:
        await record.delete()
        raise
    return JSONResponse({"received": True})


async def apply_event(
    gateway: StripeGateway, event_type: str, obj: dict[str, Any], now: datetime
) -> None:
    """Apply one verified event. Unknown types are acknowledged and ignored."""
    intent_id: str | None = None
    if event_type in INTENT_EVENTS:
        intent_id = obj.get("id")
    elif event_type == "charge.refunded":
        intent_id = obj.get("payment_intent")
    elif event_type == "account.updated":
        await _account_updated(gateway, obj)
        return
    if not intent_id:
        return
    booking = await Booking.find_one({"payment.intent_id": intent_id})
    if booking is not None:
        await sync_from_intent(gateway, booking, now)


async def _account_updated(gateway: StripeGateway, obj: dict[str, Any]) -> None:
    account_id = obj.get("id")
    if not account_id:
        return
    worker = await Worker.find_one({"stripe_account_id": account_id})
    if worker is None:
        return
    account = await gateway.retrieve_account(str(account_id))
    await Worker.get_pymongo_collection().update_one(
        {"_id": worker.id}, {"$set": {"payouts_enabled": account.payouts_enabled}}
    )
