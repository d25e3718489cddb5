"""Prices, GST, commission and the customer cancellation policy (pure).

Money is always an integer number of cents (minor units) of one currency: NZD
for NZ bookings, AUD for AU. Rates come from settings as integer basis points
(1 bp = 0.01 %), so no float ever touches an amount.

One rounding rule everywhere: an exact fraction of cents is rounded to the
nearest cent, halves away from zero (`round_half_up`). It is applied once per
derived amount (labour, fee, commission, GST), never to intermediate sums.

Worker rates and the prices customers see include GST (NZ 15 %, AU 10 %), so
the GST is *contained in* the total, not added to it: NZ total x 3/23, AU
total x 1/11, computed once on the total.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from fractions import Fraction

from gigsta.domain.accounts import Country, Currency, currency_for

BILLING_INCREMENT_MINUTES = 15
MINIMUM_BILLED_MINUTES = 60
BASIS_POINTS = 10_000

FREE_CANCELLATION_BEFORE_START = timedelta(hours=24)

# The share of a GST-inclusive amount that is GST.
GST_FRACTION: dict[Country, Fraction] = {
    Country.NZ: Fraction(3, 23),  # 15 % GST: 15 / 115
    Country.AU: Fraction(1, 11),  # 10 % GST: 10 / 110
}


def round_half_up(value: Fraction) -> int:
    """The nearest integer; exact halves go away from zero (2.5 -> 3, -2.5 -> -3)."""
    sign = -1 if value < 0 else 1
    magnitude = abs(value)
    whole = magnitude.numerator // magnitude.denominator
    if magnitude - whole >= Fraction(1, 2):
        whole += 1
    return sign * whole


def share(amount: int, basis_points: int) -> int:
    """`basis_points` of `amount` cents, rounded once."""
    return round_half_up(Fraction(amount * basis_points, BASIS_POINTS))


def billed_minutes(start: datetime, end: datetime) -> int:
    """The booked duration rounded up to 15 minutes, at least one hour."""
    seconds = int((end - start).total_seconds())
    increment = BILLING_INCREMENT_MINUTES * 60
    quarters = -(-seconds // increment)  # ceiling division
    return max(quarters * BILLING_INCREMENT_MINUTES, MINIMUM_BILLED_MINUTES)


def gst_included(total: int, country: Country) -> int:
    return round_half_up(total * GST_FRACTION[country])


@dataclass(frozen=True, slots=True)
class PricingRates:
    """The platform's rates in basis points (from settings)."""

    booking_fee_bps: int
    commission_bps: int
    late_cancellation_bps: int


@dataclass(frozen=True, slots=True)
class LineItem:
    code: str
    label: str
    quantity: int
    unit_amount: int

    @property
    def amount(self) -> int:
        return self.quantity * self.unit_amount


@dataclass(frozen=True, slots=True)
class Quote:
    """A booking's price, fixed when it is requested.

    The late-cancellation amounts are fixed here too, so the policy shown at
    request time is the one applied. The amounts that follow from others are
    properties, so no quote can disagree with itself.
    """

    currency: Currency
    country: Country
    billed_minutes: int
    hourly_rate: int
    labour: int
    booking_fee: int
    commission: int
    late_cancellation_fee: int
    late_cancellation_payout: int
    line_items: tuple[LineItem, ...]

    @property
    def total(self) -> int:
        """What the customer pays, GST included."""
        return self.labour + self.booking_fee

    @property
    def gst_included(self) -> int:
        return gst_included(self.total, self.country)

    @property
    def worker_payout(self) -> int:
        """The labour less the platform's commission."""
        return self.labour - self.commission

    @property
    def platform_revenue(self) -> int:
        return self.total - self.worker_payout


def _hours_label(minutes: int) -> str:
    hours, rest = divmod(minutes, 60)
    return f"{hours} h {rest} min" if rest else f"{hours} h"


def quote(
    *,
    hourly_rate: int,
    start: datetime,
    end: datetime,
    country: Country,
    rates: PricingRates,
    service_name: str,
) -> Quote:
    """Price a booking of a worker at `hourly_rate` cents (GST included) per hour."""
    if hourly_rate <= 0:
        raise ValueError("an hourly rate must be positive")
    minutes = billed_minutes(start, end)
    labour = round_half_up(Fraction(hourly_rate * minutes, 60))
    booking_fee = share(labour, rates.booking_fee_bps)
    commission = share(labour, rates.commission_bps)
    late_fee = share(labour, rates.late_cancellation_bps)
    return Quote(
        currency=currency_for(country),
        country=country,
        billed_minutes=minutes,
        hourly_rate=hourly_rate,
        labour=labour,
        booking_fee=booking_fee,
        commission=commission,
        late_cancellation_fee=late_fee,
        late_cancellation_payout=late_fee - share(late_fee, rates.commission_bps),
        line_items=(
            LineItem("labour", f"{service_name}, {_hours_label(minutes)}", 1, labour),
            LineItem("booking_fee", "Booking fee", 1, booking_fee),
        ),
    )


@dataclass(frozen=True, slots=True)
class CancellationTerms:
    """What a customer's cancellation costs at a given moment."""

    fee: int
    worker_payout: int
    free_until: datetime

    @property
    def is_free(self) -> bool:
        return self.fee == 0


def cancellation_terms(
    *,
    scheduled_start: datetime,
    late_cancellation_fee: int,
    late_cancellation_payout: int,
    now: datetime,
) -> CancellationTerms:
    """Free until 24 h before the start; from then on, the late-cancellation fee.

    Timing only: whether the fee is owed at all (only for an accepted booking)
    is decided in `payments.effects.payment_effect`.
    """
    free_until = scheduled_start - FREE_CANCELLATION_BEFORE_START
    if now < free_until:
        return CancellationTerms(0, 0, free_until)
    return CancellationTerms(
        late_cancellation_fee, late_cancellation_payout, free_until
    )


def format_money(amount: int, currency: Currency) -> str:
    """`$12.34 NZD`, for notes shown to people (amounts stay integers)."""
    sign = "-" if amount < 0 else ""
    dollars, cents = divmod(abs(amount), 100)
    return f"{sign}${dollars:,}.{cents:02d} {currency.value}"
