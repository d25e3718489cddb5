"""`POST /webhooks/stripe`: verified, applied at most once, order-proof.

- The `Stripe-Signature` header is checked against the raw body with the
  webhook secret; a bad or missing signature gets 400 and changes nothing.
- Each event id is inserted into `stripe_events` (unique index) before it is
  applied, so a replayed delivery is acknowledged without effect. If applying
  fails, the record is removed again so Stripe's retry can apply it.
- Events are treated as a nudge, not as the truth: the handler re-reads the
  PaymentIntent (or account) from Stripe and moves the booking to match, so
  deliveries arriving out of order cannot move a booking backwards.
- Stripe retries anything but a 2xx for days, so the status says whether a
  retry can help: a permanent problem (a body that is not JSON, an unexpected
  shape, an object of the wrong kind for its event type) is logged with the
  event id and answered 400; a temporary one (Stripe or the database out of
  reach) 503. Neither is a traceback.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from pymongo.errors import DuplicateKeyError, PyMongoError
from starlette.responses import JSONResponse

from gigsta.documents import Booking, StripeEvent, Worker
from gigsta.integrations.stripe_gateway import (
    InvalidSignatureError,
    MalformedEventError,
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
# The kind of object each handled event type carries, and the field of that
# object naming what we look up (a PaymentIntent or a Connect account).
_HANDLED: dict[str, tuple[str, str]] = {
    **dict.fromkeys(INTENT_EVENTS, ("payment_intent", "id")),
    "charge.refunded": ("charge", "payment_intent"),
    "account.updated": ("account", "id"),
}
_LOGGED_ID_LENGTH = 100


@dataclass(frozen=True, slots=True)
class ParsedEvent:
    """What we read of a verified event: its id, its type and, for the types
    we handle, the id of the PaymentIntent or account it is about."""

    id: str
    type: str
    object_id: str | None


def _event_id_for_log(event: dict[str, Any]) -> str:
    return repr(event.get("id"))[:_LOGGED_ID_LENGTH]


def parse_event(event: dict[str, Any]) -> ParsedEvent:
    """The fields we use, checked; `MalformedEventError` says what is wrong."""
    event_id, event_type, data = event.get("id"), event.get("type"), event.get("data")
    if not isinstance(event_id, str) or not event_id:
        raise MalformedEventError("`id` is not a string")
    if not isinstance(event_type, str):
        raise MalformedEventError("`type` is not a string")
    if not isinstance(data, dict) or not isinstance(data.get("object"), dict):
        raise MalformedEventError("`data.object` is not an object")
    obj: dict[str, Any] = data["object"]
    if event_type not in _HANDLED:
        object_id = obj.get("id")
        return ParsedEvent(
            event_id, event_type, object_id if isinstance(object_id, str) else None
        )
    kind, id_field = _HANDLED[event_type]
    if obj.get("object") != kind:
        raise MalformedEventError(
            f"a {event_type} event carries a {str(obj.get('object'))[:40]!r}, "
            f"not a {kind!r}"
        )
    object_id = obj.get(id_field)
    if object_id is not None and not isinstance(object_id, str):
        raise MalformedEventError(f"`data.object.{id_field}` is not a string")
    return ParsedEvent(event_id, event_type, object_id or None)


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


def _read_event(
    gateway: StripeGateway, payload: bytes, signature: str | None
) -> ParsedEvent | JSONResponse:
    """The verified, well-formed event, or the answer refusing it."""
    try:
        raw = gateway.verify_event(payload, signature)
    except InvalidSignatureError:
        return JSONResponse({"error": "invalid signature"}, 400)
    except MalformedEventError as exc:
        log.warning("webhook refused: %s", exc)
        return JSONResponse({"error": "malformed event"}, 400)
    try:
        return parse_event(raw)
    except MalformedEventError as exc:
        log.warning("webhook %s refused: %s", _event_id_for_log(raw), exc)
        return JSONResponse({"error": "malformed event"}, 400)


async def receive_event(
    gateway: StripeGateway, payload: bytes, signature: str | None, now: datetime
) -> JSONResponse:
    """Verify, record once, apply; the answer tells Stripe whether to retry."""
    event = _read_event(gateway, payload, signature)
    if isinstance(event, JSONResponse):
        return event
    record = StripeEvent(
        event_id=event.id,
        type=event.type,
        received_at=now,
        object_id=event.object_id,
    )
    try:
        await record.insert()
    except DuplicateKeyError:
        return JSONResponse({"received": True, "duplicate": True})
    except PyMongoError as exc:
        log.warning("webhook %s not recorded (database: %s)", event.id, exc)
        return JSONResponse({"error": "try again"}, 503)
    try:
        await apply_event(gateway, event, now)
    except (PaymentGatewayError, PyMongoError) as exc:
        await _forget(record)
        log.warning("webhook %s not applied (%s)", event.id, _cause(exc))
        return JSONResponse({"error": "try again"}, 503)
    except Exception:
        await _forget(record)
        log.exception("webhook %s failed", event.id)
        return JSONResponse({"error": "internal error"}, 500)
    return JSONResponse({"received": True})


def _cause(exc: Exception) -> str:
    if isinstance(exc, PaymentGatewayError):
        return f"Stripe: {exc.message}"
    return f"database: {exc}"


async def _forget(record: StripeEvent) -> None:
    """Remove the event's record so that Stripe's retry applies it."""
    try:
        await record.delete()
    except PyMongoError as exc:
        # A retry will now look like a replay; the reconcile job catches up.
        log.error(  # noqa: TRY400 - an outage: the cause, not a traceback
            "webhook %s recorded but not applied (%s)", record.event_id, exc
        )


async def apply_event(
    gateway: StripeGateway, event: ParsedEvent, now: datetime
) -> None:
    """Apply one verified event. Unknown types are acknowledged and ignored."""
    if event.type not in _HANDLED or event.object_id is None:
        return
    if event.type == "account.updated":
        await _account_updated(gateway, event.object_id)
        return
    booking = await Booking.find_one({"payment.intent_id": event.object_id})
    if booking is not None:
        await sync_from_intent(gateway, booking, now)


async def _account_updated(gateway: StripeGateway, account_id: str) -> None:
    worker = await Worker.find_one({"stripe_account_id": account_id})
    if worker is None:
        return
    account = await gateway.retrieve_account(account_id)
    await Worker.get_pymongo_collection().update_one(
        {"_id": worker.id}, {"$set": {"payouts_enabled": account.payouts_enabled}}
    )
