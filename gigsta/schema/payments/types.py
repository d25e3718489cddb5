"""GraphQL types for payments, and the payment fields of `Booking` and `Worker`.

Who sees what: the customer (and admins) see the price the customer pays and
the payment, including the `clientSecret` while 3-D Secure waits for them; the
worker (and admins) see the worker's payout. Neither sees the other's part.
"""

from __future__ import annotations

from datetime import datetime
from typing import TYPE_CHECKING

import strawberry

from gigsta.documents.payments import BookingPayment as BookingPaymentDoc
from gigsta.documents.payments import BookingPrice as BookingPriceDoc
from gigsta.documents.payments import PriceLine as PriceLineDoc
from gigsta.domain.accounts import is_self_or_admin
from gigsta.domain.bookings.access import sees_customer_side, sees_worker_side
from gigsta.domain.bookings.actions import DEFERRED_HOLD_LEAD, ActorRole
from gigsta.domain.payments.pricing import Quote
from gigsta.domain.time_zones import local_time
from gigsta.resolvers.payments.preview import action_money_note
from gigsta.schema.core import nodes
from gigsta.schema.core.context import Info
from gigsta.schema.core.enums import Currency, PaymentStatus
from gigsta.schema.core.fields import doc_field
from gigsta.schema.payments.dataloaders import PendingPayoutsByWorkerLoader

if TYPE_CHECKING:
    from gigsta.documents import Booking as BookingDoc
    from gigsta.documents import Worker as WorkerDoc


@strawberry.type(description="One line of a price. Amounts in cents of `currency`.")
class PriceLineItem:
    doc: strawberry.Private[PriceLineDoc]

    code = doc_field(
        str,
        description="Stable kind of line, e.g. `labour` or `booking_fee`; "
        "tolerate codes you do not know.",
    )
    label = doc_field(str, description="English text to show, e.g. `Cleaning, 3 h`.")
    quantity = doc_field(int, description="How many units.")
    unit_amount = doc_field(int, description="Cents per unit, GST included.")
    amount = doc_field(
        int, description="`quantity` x `unitAmount`, in cents, GST included."
    )


@strawberry.type(
    description=(
        "A booking's price, fixed when it was requested, in integer cents. "
        "Customer-facing amounts include GST; `workerPayout` is the labour less "
        "the platform commission. Parties see only their own side."
    )
)
class Price:
    doc: strawberry.Private[BookingPriceDoc]
    show_customer_side: strawberry.Private[bool]
    show_worker_side: strawberry.Private[bool]

    currency = doc_field(Currency, description="The currency of every amount here.")

    @strawberry.field(description="Customer and admins only.")
    def line_items(self) -> list[PriceLineItem] | None:
        if not self.show_customer_side:
            return None
        return line_items(self.doc)

    @strawberry.field(description="What the customer pays, GST included.")
    def total(self) -> int | None:
        return self.doc.total if self.show_customer_side else None

    @strawberry.field(description="The GST contained in `total`.")
    def gst_included(self) -> int | None:
        return self.doc.gst_included if self.show_customer_side else None

    @strawberry.field(description="Worker and admins only.")
    def worker_payout(self) -> int | None:
        return self.doc.worker_payout if self.show_worker_side else None

    @strawberry.field(
        description="The fee for cancelling from 24 h before the start (customer)."
    )
    def late_cancellation_fee(self) -> int | None:
        return self.doc.late_cancellation_fee if self.show_customer_side else None


@strawberry.type(description="The customer's payment for a booking (cents).")
class Payment:
    doc: strawberry.Private[BookingPaymentDoc]
    is_customer: strawberry.Private[bool]
    zone: strawberry.Private[str]  # the booking's time zone
    # Derived, not stored: a deferred hold is placed a fixed lead before the start.
    hold_due_at: strawberry.Private[datetime | None] = None

    status = doc_field(PaymentStatus, description="Where the money is.")
    authorized_amount = doc_field(
        int, description="Cents held on the card (0 before the hold is placed)."
    )
    captured_amount = doc_field(int, description="Cents charged so far.")
    refunded_amount = doc_field(int, description="Cents given back after a charge.")
    currency = doc_field(Currency, description="The amounts' currency.")

    @strawberry.field(
        description=(
            "For the booking's customer only, while the card needs their action "
            "(3-D Secure): pass it to Stripe.js `handleNextAction`."
        )
    )
    def client_secret(self) -> str | None:
        if self.is_customer and self.doc.status is PaymentStatus.REQUIRES_ACTION:
            return self.doc.client_secret
        return None

    failure_message = doc_field(
        str | None, description="Why the card could not be authorized, if so."
    )

    @strawberry.field(description="When a deferred hold will be placed.")
    def authorize_at(self) -> datetime | None:
        if self.hold_due_at is None:
            return None
        return local_time(self.hold_due_at, self.zone)


@strawberry.type(description="A worker's share of a booking, waiting to be sent.")
class PendingPayout:
    booking_id: strawberry.ID = strawberry.field(
        description="The `Booking.id` the share is for."
    )
    amount: int = strawberry.field(description="The share, in cents of `currency`.")
    currency: Currency = strawberry.field(description="The share's currency.")
    since: datetime = strawberry.field(
        description="When it became due (the customer's payment was captured)."
    )


@strawberry.type(description="A price preview (cents, GST included).")
class PriceQuote:
    doc: strawberry.Private[BookingPriceDoc]  # as `requestBooking` would store it

    currency = doc_field(
        Currency, description="The currency of every amount here (the worker's)."
    )

    @strawberry.field(
        description="What the total is made of: the labour and the booking fee."
    )
    def line_items(self) -> list[PriceLineItem]:
        return line_items(self.doc)

    total = doc_field(
        int, description="What the customer would pay, in cents, GST included."
    )
    gst_included = doc_field(int, description="The GST contained in `total`, in cents.")
    late_cancellation_fee = doc_field(
        int,
        description="What cancelling from 24 hours before the start would cost, "
        "in cents.",
    )


def line_items(price: BookingPriceDoc) -> list[PriceLineItem]:
    """A price's lines, as they are stored."""
    return [PriceLineItem(doc=line) for line in price.line_items]


def booking_price(info: Info, doc: BookingDoc) -> Price | None:
    role = doc.role_of(info.context.viewer)
    if doc.price is None or role is None:
        return None
    return Price(
        doc=doc.price,
        show_customer_side=sees_customer_side(role),
        show_worker_side=sees_worker_side(role),
    )


def booking_payment(info: Info, doc: BookingDoc) -> Payment | None:
    role = doc.role_of(info.context.viewer)
    if doc.payment is None or not sees_customer_side(role):
        return None
    deferred = doc.payment.status is PaymentStatus.DEFERRED
    return Payment(
        doc=doc.payment,
        is_customer=role is ActorRole.CUSTOMER,
        zone=doc.time_zone,
        hold_due_at=doc.scheduled_start - DEFERRED_HOLD_LEAD if deferred else None,
    )


def payment_note_of(info: Info, doc: BookingDoc, action: str) -> str | None:
    """`BookingAction.paymentNote`: for the customer and admins."""
    if not sees_customer_side(doc.role_of(info.context.viewer)):
        return None
    return action_money_note(doc, action, info.context.now)


def worker_payouts_enabled(info: Info, worker: WorkerDoc) -> bool | None:
    return (
        worker.payouts_enabled
        if is_self_or_admin(info.context.viewer, worker.id)
        else None
    )


async def worker_pending_payouts(info: Info, worker: WorkerDoc) -> list[PendingPayout]:
    if worker.id is None or not is_self_or_admin(info.context.viewer, worker.id):
        return []
    loader = info.context.loader(PendingPayoutsByWorkerLoader)
    return [
        PendingPayout(
            booking_id=nodes.global_id("Booking", b.id),
            amount=b.payout.amount,
            currency=b.payout.currency,
            since=b.payout.created_at,
        )
        for b in await loader.load(worker.id)
        if b.payout is not None
    ]


def price_quote(q: Quote) -> PriceQuote:
    """The preview, read through the form `requestBooking` would store."""
    return PriceQuote(doc=BookingPriceDoc.from_quote(q))
