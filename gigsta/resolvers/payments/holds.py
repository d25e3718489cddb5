"""The card hold: placed when a booking is requested, or deferred.

A booking that starts within `HOLD_HORIZON` gets a manual-capture
PaymentIntent at once (3-D Secure makes it wait in PENDING_PAYMENT). One
further out saves the card on a Stripe Customer; the `authorize` action places
the hold off session 48 h before the start (`hold_saved_card`, the one path for
every deferred hold, also used when money falls due and no hold was placed).
"""

from __future__ import annotations

import contextlib
import hashlib
import logging
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import TYPE_CHECKING

from pymongo import ReturnDocument
from pymongo.errors import DuplicateKeyError

from gigsta.documents import Booking, Customer, Worker, raw_collection
from gigsta.documents import booking_store as store
from gigsta.documents.payments import BookingPayment, BookingPrice
from gigsta.domain.bookings.actions import HOLD_HORIZON, BookingStatus
from gigsta.domain.core import ErrorCode, UserError
from gigsta.domain.payments.effects import PaymentStatus
from gigsta.integrations.stripe_gateway import CardDeclinedError, PaymentGatewayError
from gigsta.resolvers.payments.config import Payments, idempotency_key
from gigsta.resolvers.payments.quotes import worker_quote

if TYPE_CHECKING:
    from collections.abc import AsyncIterator

    from beanie import PydanticObjectId

    from gigsta.integrations.stripe_gateway import StripeGateway
    from gigsta.integrations.stripe_results import IntentState

log = logging.getLogger(__name__)

REQUEST_LEASE = timedelta(minutes=2)
REQUEST_LEASES = "booking_request_leases"


@dataclass
class HoldResult:
    status: BookingStatus | None = None
    payment: BookingPayment | None = None
    price: BookingPrice | None = None
    errors: list[UserError] = field(default_factory=list)
    # A retried request: the booking the first attempt made (nothing new).
    existing: Booking | None = None


class HoldRefusedError(CardDeclinedError):
    """The saved card was refused off session (declined, or it wants 3-D
    Secure with no cardholder present). `intent_id`: the cancelled intent."""

    def __init__(self, message: str, intent_id: str | None = None) -> None:
        super().__init__(message)
        self.intent_id = intent_id


def _payment_error(code: ErrorCode, message: str) -> HoldResult:
    return HoldResult(errors=[UserError("paymentMethodId", code, message)])


async def prepare_request(
    payments: Payments,
    *,
    booking_id: PydanticObjectId,
    customer: Customer,
    worker: Worker,
    service_name: str,
    scheduled_start: datetime,
    scheduled_end: datetime,
    payment_method_id: str | None,
    now: datetime,
) -> HoldResult:
    """Price a new booking and secure the customer's card for it."""
    method = (payment_method_id or "").strip()
    if not method:
        return _payment_error(
            ErrorCode.PAYMENT_METHOD_REQUIRED,
            "Add a card (a Stripe PaymentMethod id) to request a booking.",
        )
    assert customer.id is not None and worker.id is not None
    retried = await find_retried_request(
        customer.id, worker.id, scheduled_start, scheduled_end, method
    )
    if retried is not None:
        return HoldResult(existing=retried)
    priced = worker_quote(
        payments,
        worker,
        service_name=service_name,
        start=scheduled_start,
        end=scheduled_end,
    )
    if priced is None:
        message = f"{worker.name} has not set an hourly rate yet."
        return HoldResult(
            errors=[UserError("workerId", ErrorCode.RATE_NOT_SET, message)]
        )
    price = BookingPrice.from_quote(priced)
    result = await place_hold(
        payments.gateway,
        booking_id=booking_id,
        customer=customer,
        price=price,
        payment_method_id=method,
        scheduled_start=scheduled_start,
        now=now,
    )
    result.price = price
    return result


async def find_retried_request(
    customer_id: PydanticObjectId,
    worker_id: PydanticObjectId,
    start: datetime,
    end: datetime,
    payment_method_id: str,
) -> Booking | None:
    """The booking an identical earlier request made, if it is still open.

    A client that lost the answer to `requestBooking` and sends it again gets
    the booking (and the single card hold) it already has; `request_lease`
    keeps two identical requests from both missing it at the same instant.
    """
    return await Booking.find_one(
        {
            "customer_id": customer_id,
            "worker_id": worker_id,
            "scheduled_start": start,
            "scheduled_end": end,
            "payment.payment_method_id": payment_method_id.strip(),
            "status": {
                "$in": [
                    BookingStatus.PENDING_PAYMENT.value,
                    BookingStatus.REQUESTED.value,
                ]
            },
        }
    )


@contextlib.asynccontextmanager
async def request_lease(
    customer_id: PydanticObjectId,
    *,
    worker_id: PydanticObjectId,
    start: datetime,
    end: datetime,
    payment_method_id: str | None,
    now: datetime,
) -> AsyncIterator[bool]:
    """Serialise identical booking requests (a double-click, a client retry).

    `find_retried_request` finds the booking an earlier identical request made;
    this lease closes the window in which two identical requests both miss it
    and both place a hold. The lease is one document keyed by the request's
    fingerprint: an insert that collides with a live lease means an identical
    request is in flight (yields False). A lease left by a dead process expires
    after `REQUEST_LEASE`. Yields True without a lease when nothing is charged.
    """
    method = (payment_method_id or "").strip()
    if not method:
        yield True
        return
    parts = [str(customer_id), str(worker_id), start.isoformat(), end.isoformat()]
    fingerprint = hashlib.sha256("|".join([*parts, method]).encode()).hexdigest()
    leases = raw_collection(REQUEST_LEASES)
    try:
        await leases.find_one_and_update(
            {"_id": fingerprint, "expires_at": {"$lt": now}},
            {"$set": {"expires_at": now + REQUEST_LEASE}},
            upsert=True,
        )
    except DuplicateKeyError:
        yield False
        return
    try:
        yield True
    finally:
        await leases.delete_one({"_id": fingerprint})


async def _stripe_customer(gateway: StripeGateway, customer: Customer) -> str:
    """The customer's Stripe Customer, created once (first writer wins)."""
    if customer.stripe_customer_id:
        return customer.stripe_customer_id
    created = await gateway.create_customer(
        idempotency_key=f"gigsta:customer:{customer.id}",
        metadata={"gigsta_customer_id": str(customer.id)},
    )
    raw = await Customer.get_pymongo_collection().find_one_and_update(
        {"_id": customer.id, "stripe_customer_id": None},
        {"$set": {"stripe_customer_id": created}},
        return_document=ReturnDocument.AFTER,
    )
    if raw is None:  # another request created one first: use theirs
        current = await Customer.get(customer.id)
        assert current is not None and current.stripe_customer_id is not None
        return current.stripe_customer_id
    return created


async def _save_card(
    gateway: StripeGateway,
    *,
    booking_id: PydanticObjectId,
    customer: Customer,
    price: BookingPrice,
    payment_method_id: str,
) -> HoldResult:
    """Keep the card on the customer's Stripe Customer for a hold placed later."""
    stripe_customer = await _stripe_customer(gateway, customer)
    await gateway.attach_payment_method(
        payment_method_id,
        customer=stripe_customer,
        idempotency_key=idempotency_key(booking_id, "save_card", 1),
    )
    return HoldResult(
        status=BookingStatus.REQUESTED,
        payment=BookingPayment(
            status=PaymentStatus.DEFERRED,
            currency=price.currency,
            payment_method_id=payment_method_id,
            stripe_customer_id=stripe_customer,
        ),
    )


async def place_hold(
    gateway: StripeGateway,
    *,
    booking_id: PydanticObjectId,
    customer: Customer,
    price: BookingPrice,
    payment_method_id: str,
    scheduled_start: datetime,
    now: datetime,
) -> HoldResult:
    """Authorize the total on the card now, or save the card for a later hold."""
    try:
        if scheduled_start - now > HOLD_HORIZON:
            return await _save_card(
                gateway,
                booking_id=booking_id,
                customer=customer,
                price=price,
                payment_method_id=payment_method_id,
            )
        intent = await gateway.authorize(
            amount=price.total,
            currency=price.currency.value,
            payment_method=payment_method_id,
            idempotency_key=idempotency_key(booking_id, "request", 1),
            metadata={"booking_id": str(booking_id)},
        )
    except PaymentGatewayError as exc:  # declined, refused or unreachable
        return _payment_error(exc.code, exc.message)
    payment = BookingPayment(
        status=PaymentStatus.AUTHORIZED,
        currency=price.currency,
        intent_id=intent.id,
        payment_method_id=payment_method_id,
        authorized_amount=intent.amount,
    )
    status = intent.payment_status
    if status is PaymentStatus.AUTHORIZED:
        return HoldResult(status=BookingStatus.REQUESTED, payment=payment)
    if status is PaymentStatus.REQUIRES_ACTION:
        payment.status = PaymentStatus.REQUIRES_ACTION
        payment.authorized_amount = 0
        payment.client_secret = intent.client_secret
        return HoldResult(status=BookingStatus.PENDING_PAYMENT, payment=payment)
    # Anything else (for example `requires_payment_method`) is a refusal.
    await cancel_quietly(gateway, intent.id, booking_id)
    return _payment_error(
        ErrorCode.PAYMENT_DECLINED,
        intent.error_message or "The card could not be authorized.",
    )


async def cancel_quietly(
    gateway: StripeGateway, intent_id: str, booking_id: PydanticObjectId | None
) -> None:
    try:
        await gateway.cancel(
            intent_id, idempotency_key=idempotency_key(booking_id, "abandon", 1)
        )
    except PaymentGatewayError:
        log.warning("could not cancel abandoned PaymentIntent %s", intent_id)


async def abandon_hold(
    gateway: StripeGateway, booking_id: PydanticObjectId, payment: BookingPayment
) -> None:
    """Undo a hold whose booking could not be saved (so no money is stranded)."""
    if payment.intent_id:
        await cancel_quietly(gateway, payment.intent_id, booking_id)


async def _authorize_saved_card(
    gateway: StripeGateway, booking: Booking, key: str
) -> IntentState:
    payment, price = booking.payment, booking.price
    assert payment is not None and price is not None
    assert payment.payment_method_id is not None
    return await gateway.authorize(
        amount=price.total,
        currency=price.currency.value,
        payment_method=payment.payment_method_id,
        customer=payment.stripe_customer_id,
        off_session=True,
        idempotency_key=key,
        metadata={"booking_id": str(booking.id)},
    )


async def hold_saved_card(
    gateway: StripeGateway, booking: Booking, key: str, lock_token: str
) -> BookingPayment:
    """Place the hold a deferred booking waits for, off session, and record it
    at once (under the transition's lock), so a retry continues from it.

    Raises `HoldRefusedError` when the card is refused, `PaymentGatewayError`
    when Stripe cannot be reached.
    """
    payment = booking.payment
    assert payment is not None and booking.id is not None
    if payment.intent_id is not None:  # an earlier attempt placed it
        return payment
    try:
        intent = await _authorize_saved_card(gateway, booking, key)
    except CardDeclinedError as exc:
        raise HoldRefusedError(exc.message) from exc
    if intent.payment_status is not PaymentStatus.AUTHORIZED:
        # Off session there is no customer to authenticate: a card that wants
        # 3-D Secure now has failed for this booking.
        await cancel_quietly(gateway, intent.id, booking.id)
        raise HoldRefusedError(
            intent.error_message
            or "The card needs the cardholder's authentication and could not "
            "be charged automatically.",
            intent_id=intent.id,
        )
    held = payment.model_copy(
        update={
            "intent_id": intent.id,
            "status": PaymentStatus.AUTHORIZED,
            "authorized_amount": intent.amount,
        }
    )
    await store.record_payment_under_lock(booking.id, lock_token, held)
    return held
