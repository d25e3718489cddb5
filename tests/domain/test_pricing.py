from __future__ import annotations

from datetime import UTC, datetime, timedelta
from fractions import Fraction

import pytest

from gigsta.domain.accounts import Country, Currency
from gigsta.domain.payments.pricing import (
    PricingRates,
    billed_minutes,
    cancellation_terms,
    format_money,
    gst_included,
    quote,
    round_half_up,
    share,
)

RATES = PricingRates(
    booking_fee_bps=500, commission_bps=1500, late_cancellation_bps=5000
)
START = datetime(2026, 12, 1, 9, 0, tzinfo=UTC)


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        (Fraction(5, 2), 3),
        (Fraction(-5, 2), -3),
        (Fraction(7, 3), 2),
        (Fraction(8, 3), 3),
        (Fraction(-7, 3), -2),
        (Fraction(0), 0),
        (Fraction(4), 4),
    ],
)
def test_round_half_up(value, expected):
    assert round_half_up(value) == expected


@pytest.mark.parametrize(
    ("minutes", "billed"),
    [(1, 60), (59, 60), (60, 60), (61, 75), (75, 75), (76, 90), (180, 180), (181, 195)],
)
def test_duration_rounds_up_to_15_minutes_with_one_hour_minimum(minutes, billed):
    assert billed_minutes(START, START + timedelta(minutes=minutes)) == billed


def test_billing_counts_seconds_too():
    assert billed_minutes(START, START + timedelta(minutes=75, seconds=1)) == 90


@pytest.mark.parametrize(
    ("total", "country", "gst"),
    [
        (23, Country.NZ, 3),  # exact: 23 x 3/23
        (1, Country.NZ, 0),  # 0.13
        (4, Country.NZ, 1),  # 0.52
        (9450, Country.NZ, 1233),  # 1232.61
        (11, Country.AU, 1),
        (5, Country.AU, 0),  # 0.45
        (6, Country.AU, 1),  # 0.55
        (13650, Country.AU, 1241),  # 1240.91
        (0, Country.AU, 0),
    ],
)
def test_gst_is_the_share_contained_in_the_total(total, country, gst):
    assert gst_included(total, country) == gst


def test_share_rounds_half_up():
    assert share(1, 5000) == 1  # 0.5 cent
    assert share(3, 5000) == 2  # 1.5
    assert share(9000, 1500) == 1350
    assert share(0, 1500) == 0


def test_nz_booking_amounts():
    q = quote(
        hourly_rate=4500,
        start=START,
        end=START + timedelta(hours=2),
        country=Country.NZ,
        rates=RATES,
        service_name="Cleaning",
    )
    assert q.currency is Currency.NZD
    assert (q.labour, q.booking_fee, q.total) == (9000, 450, 9450)
    assert q.gst_included == 1233
    assert (q.commission, q.worker_payout) == (1350, 7650)
    assert (q.late_cancellation_fee, q.late_cancellation_payout) == (4500, 3825)
    assert q.platform_revenue == 1800
    assert [(li.code, li.amount) for li in q.line_items] == [
        ("labour", 9000),
        ("booking_fee", 450),
    ]
    assert q.line_items[0].label == "Cleaning, 2 h"
    assert sum(li.amount for li in q.line_items) == q.total


def test_au_booking_amounts_with_rounded_duration():
    q = quote(
        hourly_rate=5200,
        start=START,
        end=START + timedelta(hours=2, minutes=20),
        country=Country.AU,
        rates=RATES,
        service_name="Pet care",
    )
    assert q.currency is Currency.AUD
    assert q.billed_minutes == 150
    assert (q.labour, q.booking_fee, q.total, q.gst_included) == (
        13000,
        650,
        13650,
        1241,
    )
    assert (q.commission, q.worker_payout) == (1950, 11050)
    assert (q.late_cancellation_fee, q.late_cancellation_payout) == (6500, 5525)
    assert q.line_items[0].label == "Pet care, 2 h 30 min"


def test_odd_rates_round_once_per_amount():
    q = quote(
        hourly_rate=4501,
        start=START,
        end=START + timedelta(minutes=75),
        country=Country.NZ,
        rates=RATES,
        service_name="Cleaning",
    )
    assert q.labour == 5626  # 5626.25
    assert q.booking_fee == 281  # 281.3
    assert q.total == 5907
    assert q.gst_included == 770  # 770.48
    assert q.commission == 844  # 843.9
    assert q.worker_payout == 4782
    q2 = quote(
        hourly_rate=4502,
        start=START,
        end=START + timedelta(minutes=75),
        country=Country.NZ,
        rates=RATES,
        service_name="Cleaning",
    )
    assert q2.labour == 5628  # 5627.5 rounds up


def test_rates_come_from_the_caller():
    q = quote(
        hourly_rate=10000,
        start=START,
        end=START + timedelta(hours=1),
        country=Country.NZ,
        rates=PricingRates(
            booking_fee_bps=0, commission_bps=0, late_cancellation_bps=10000
        ),
        service_name="Moving",
    )
    assert (q.total, q.worker_payout, q.late_cancellation_fee) == (10000, 10000, 10000)


def test_rate_must_be_positive():
    with pytest.raises(ValueError, match="positive"):
        quote(
            hourly_rate=0,
            start=START,
            end=START + timedelta(hours=1),
            country=Country.NZ,
            rates=RATES,
            service_name="x",
        )


@pytest.mark.parametrize(
    ("before_start", "fee"),
    [
        (timedelta(days=3), 0),
        (timedelta(hours=24, seconds=1), 0),
        (timedelta(hours=24), 4500),  # the 24 h mark itself is late
        (timedelta(hours=2), 4500),
        (timedelta(0), 4500),
    ],
)
def test_cancellation_is_free_until_24_hours_before_start(before_start, fee):
    terms = cancellation_terms(
        scheduled_start=START,
        late_cancellation_fee=4500,
        late_cancellation_payout=3825,
        now=START - before_start,
    )
    assert terms.fee == fee
    assert terms.worker_payout == (3825 if fee else 0)
    assert terms.is_free is (fee == 0)
    assert terms.free_until == START - timedelta(hours=24)


def test_format_money():
    assert format_money(9450, Currency.NZD) == "$94.50 NZD"
    assert format_money(123456, Currency.AUD) == "$1,234.56 AUD"
    assert format_money(5, Currency.AUD) == "$0.05 AUD"
    assert format_money(-5, Currency.AUD) == "-$0.05 AUD"
