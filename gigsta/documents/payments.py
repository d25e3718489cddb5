"""A booking's price, payment and worker payout (embedded in the booking), and
the Stripe events already applied."""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum

from beanie import Document
from pydantic import BaseModel

from gigsta.domain.accounts import Currency
from gigsta.domain.payments.effects import PaymentFacts, PaymentStatus
from gigsta.domain.payments.pricing import Quote


class PriceLine(BaseModel):
    code: str
    label: str
    quantity: int
    unit_amount: int
    amount: int


class BookingPrice(BaseModel):
    """The quote fixed at request time. Integer cents of `currency`."""

    currency: Currency
    billed_minutes: int
    hourly_rate: int
    labour: int
    booking_fee: int
    total: int
    gst_included: int
    commission: int
    worker_payout: int
    late_cancellation_fee: int
    late_cancellation_payout: int
    line_items: list[PriceLine]

    @classmethod
    def from_quote(cls, q: Quote) -> BookingPrice:
        """Every stored figure is read from the quote's attribute of that name
        (its line items' `amount` property included; `country` is not kept)."""
        return cls.model_validate(q, from_attributes=True)


class BookingPayment(BaseModel):
    """The customer's money for one booking, as last seen at Stripe."""

    status: PaymentStatus
    currency: Currency
    intent_id: str | None = None
    payment_method_id: str | None = None
    stripe_customer_id: str | None = None
    client_secret: str | None = None
    authorized_amount: int = 0
    captured_amount: int = 0
    refunded_amount: int = 0
    failure_message: str | None = None

    def facts(self, price: BookingPrice) -> PaymentFacts:
        return PaymentFacts(
            status=self.status,
            total=price.total,
            captured=self.captured_amount,
            refunded=self.refunded_amount,
            late_cancellation_fee=price.late_cancellation_fee,
            late_cancellation_payout=price.late_cancellation_payout,
            worker_payout=price.worker_payout,
        )


class PaymentLock(BaseModel):
    """A payment call in flight for one transition (see `booking_store`).

    While it is set, no other transition can be applied to the booking. A retry
    of the same transition (same key) may take over a lock old enough that its
    holder must have died; the reconcile job finishes such transitions too.
    """

    key: str
    # Unique per attempt: only the attempt holding the lock may finish or
    # release it, even when a retry with the same key is running meanwhile.
    token: str
    action: str
    version: int
    role: str
    actor_id: str | None = None
    reason: str | None = None
    at: datetime
    # The money movement decided when the lock was taken: a retry or the
    # reconcile job repeats exactly this, even if the policy would now differ
    # (a free cancellation retried after the 24 h mark stays free).
    effect_kind: str = "none"
    capture_amount: int = 0
    refunded_total: int = 0
    worker_payout: int = 0


class PayoutStatus(StrEnum):
    # Captured, but the worker cannot receive payouts yet (onboarding).
    PENDING = "pending"
    SENT = "sent"


class WorkerPayout(BaseModel):
    """The worker's share of a captured booking, sent by a Stripe transfer."""

    status: PayoutStatus
    amount: int
    currency: Currency
    transfer_id: str | None = None
    created_at: datetime
    sent_at: datetime | None = None


class StripeEvent(Document):
    """A Stripe event already applied. `event_id` is unique (migration 0003),
    so a replayed delivery fails to insert and is acknowledged without effect."""

    event_id: str
    type: str
    received_at: datetime
    object_id: str | None = None

    class Settings:
        name = "stripe_events"
