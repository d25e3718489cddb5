"""GraphQL for payments: prices, the card hold, payouts and Connect onboarding.

Who sees what: the customer (and admins) see the price the customer pays and
the payment, including the `clientSecret` while 3-D Secure waits for them; the
worker (and admins) see the worker's payout. Neither sees the other's part.
"""

from __future__ import annotations

from datetime import datetime

import strawberry

from gigsta.auth import is_self_or_admin
from gigsta.documents import Booking as BookingDoc
from gigsta.documents import Worker as WorkerDoc
from gigsta.documents.payments import BookingPayment as BookingPaymentDoc
from gigsta.documents.payments import BookingPrice as BookingPriceDoc
from gigsta.domain.accounts import Currency
from gigsta.domain.booking_actions import ActorRole
from gigsta.domain.errors import ClientError, ErrorCode
from gigsta.domain.payment_effects import PaymentStatus
from gigsta.domain.pricing import quote
from gigsta.domain.services import SERVICE_CATALOGUE
from gigsta.resolvers import bookings as booking_service
from gigsta.resolvers import payments as payment_service
from gigsta.resolvers import payouts as payout_service
from gigsta.resolvers import workers as worker_service
from gigsta.schema.context import Info
from gigsta.schema.types import UserError, user_errors

strawberry.enum(PaymentStatus, description="Where the customer's money is.")


@strawberry.type(description="One line of a price. Amounts in cents of `currency`.")
class PriceLineItem:
    code: str
    label: str
    quantity: int
    unit_amount: int
    amount: int


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

    @strawberry.field
    def currency(self) -> Currency:
        return self.doc.currency

    @strawberry.field(description="Customer and admins only.")
    def line_items(self) -> list[PriceLineItem] | None:
        if not self.show_customer_side:
            return None
        return [
            PriceLineItem(
                code=li.code,
                label=li.label,
                quantity=li.quantity,
                unit_amount=li.unit_amount,
                amount=li.amount,
            )
            for li in self.doc.line_items
        ]

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

    @strawberry.field
    def status(self) -> PaymentStatus:
        return self.doc.status

    @strawberry.field
    def authorized_amount(self) -> int:
        return self.doc.authorized_amount

    @strawberry.field
    def captured_amount(self) -> int:
        return self.doc.captured_amount

    @strawberry.field
    def refunded_amount(self) -> int:
        return self.doc.refunded_amount

    @strawberry.field
    def currency(self) -> Currency:
        return self.doc.currency

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

    @strawberry.field(description="Why the card could not be authorized, if so.")
    def failure_message(self) -> str | None:
        return self.doc.failure_message

    @strawberry.field(description="When a deferred hold will be placed.")
    def authorize_at(self) -> datetime | None:
        return self.doc.authorize_at


def booking_price(info: Info, doc: BookingDoc) -> Price | None:
    role = booking_service.actor_role(info.context.viewer, doc)
    if doc.price is None or role is None:
        return None
    return Price(
        doc=doc.price,
        show_customer_side=role in {ActorRole.CUSTOMER, ActorRole.ADMIN},
        show_worker_side=role in {ActorRole.WORKER, ActorRole.ADMIN},
    )


def booking_payment(info: Info, doc: BookingDoc) -> Payment | None:
    role = booking_service.actor_role(info.context.viewer, doc)
    if doc.payment is None or role not in {ActorRole.CUSTOMER, ActorRole.ADMIN}:
        return None
    return Payment(doc=doc.payment, is_customer=role is ActorRole.CUSTOMER)


def action_money_note(info: Info, doc: BookingDoc, action: str) -> str | None:
    role = booking_service.actor_role(info.context.viewer, doc)
    if role not in {ActorRole.CUSTOMER, ActorRole.ADMIN}:
        return None
    return payment_service.action_money_note(doc, action, info.context.now)


@strawberry.type(description="A worker's share of a booking, waiting to be sent.")
class PendingPayout:
    booking_id: strawberry.ID
    amount: int
    currency: Currency
    since: datetime


def worker_payouts_enabled(info: Info, worker: WorkerDoc) -> bool | None:
    return (
        worker.payouts_enabled
        if is_self_or_admin(info.context.viewer, worker.id)
        else None
    )


async def worker_pending_payouts(info: Info, worker: WorkerDoc) -> list[PendingPayout]:
    if worker.id is None or not is_self_or_admin(info.context.viewer, worker.id):
        return []
    return [
        PendingPayout(
            booking_id=strawberry.ID(str(b.id)),
            amount=b.payout.amount,
            currency=b.payout.currency,
            since=b.payout.created_at,
        )
        for b in await info.context.loaders.pending_payouts_by_worker.load(worker.id)
        if b.payout is not None
    ]


@strawberry.type(description="A price preview (cents, GST included).")
class PriceQuote:
    currency: Currency
    line_items: list[PriceLineItem]
    total: int
    gst_included: int
    late_cancellation_fee: int


@strawberry.type
class PayoutOnboardingPayload:
    url: str | None = strawberry.field(
        description="Stripe's Express onboarding page; open it in the browser."
    )
    errors: list[UserError]


@strawberry.type
class PaymentsQuery:
    @strawberry.field(
        description="What booking this worker for this window would cost now."
    )
    async def price_quote(
        self,
        info: Info,
        worker_id: strawberry.ID,
        service: str,
        scheduled_start: datetime,
        scheduled_end: datetime,
    ) -> PriceQuote | None:
        payments = info.context.runtime.payments
        worker = await worker_service.get_worker(worker_id)
        if worker is None or not worker.hourly_rate_cents or payments is None:
            return None
        if scheduled_end <= scheduled_start:
            raise ClientError(ErrorCode.INVALID, "The end must be after the start.")
        q = quote(
            hourly_rate=worker.hourly_rate_cents,
            start=scheduled_start,
            end=scheduled_end,
            country=worker.country,
            rates=payments.rates,
            service_name=SERVICE_CATALOGUE.get(service, service),
        )
        return PriceQuote(
            currency=q.currency,
            line_items=[
                PriceLineItem(
                    code=li.code,
                    label=li.label,
                    quantity=li.quantity,
                    unit_amount=li.unit_amount,
                    amount=li.amount,
                )
                for li in q.line_items
            ],
            total=q.total,
            gst_included=q.gst_included,
            late_cancellation_fee=q.late_cancellation_fee,
        )


@strawberry.type
class PaymentsMutation:
    @strawberry.mutation(
        description="Start (or resume) Stripe onboarding to receive payouts."
    )
    async def start_payout_onboarding(self, info: Info) -> PayoutOnboardingPayload:
        result = await payout_service.start_payout_onboarding(
            info.context.viewer, info.context.runtime.payments, info.context.now
        )
        return PayoutOnboardingPayload(
            url=result.url, errors=user_errors(result.errors)
        )
