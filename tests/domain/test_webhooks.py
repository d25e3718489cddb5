"""Webhook rules without I/O: the retry schedule, refused addresses, URLs,
signatures and which events a partner hears of."""

from __future__ import annotations

import hashlib
import hmac
from datetime import UTC, datetime, timedelta

import pytest

from gigsta.domain.webhooks import (
    RETRY_WINDOW,
    WebhookEventType,
    refused_address,
    retry_in,
    sign,
    url_errors,
    webhook_types,
)

T0 = datetime(2026, 11, 2, 9, 0, tzinfo=UTC)


def test_the_schedule_doubles_from_a_minute_to_six_hours_for_three_days():
    now, attempts, delays = T0, 1, []
    while (delay := retry_in(attempts, T0, now)) is not None:
        delays.append(delay)
        now, attempts = now + delay, attempts + 1
    minutes = [d / timedelta(minutes=1) for d in delays[:10]]
    assert minutes == [1, 2, 4, 8, 16, 32, 64, 128, 256, 360]
    assert max(delays) == timedelta(hours=6)
    # The last try falls exactly at the end of the window; then it gives up.
    assert now == T0 + RETRY_WINDOW
    assert retry_in(attempts, T0, now) is None


@pytest.mark.parametrize(
    "address",
    [
        "127.0.0.1",
        "10.1.2.3",
        "172.16.0.1",
        "192.168.1.1",
        "169.254.169.254",
        "0.0.0.0",  # noqa: S104 - an address to refuse, not to bind
        "224.0.0.1",
        "::1",
        "fe80::1",
        "fc00::1",
        "::ffff:127.0.0.1",
        "100.64.0.1",
    ],
)
def test_private_and_special_addresses_are_refused(address):
    assert refused_address(address)


@pytest.mark.parametrize("address", ["93.184.216.34", "2606:4700::1111", "1.1.1.1"])
def test_public_addresses_are_allowed(address):
    assert not refused_address(address)


@pytest.mark.parametrize(
    ("url", "allow_private", "refused"),
    [
        ("https://hooks.example.com/x", False, False),
        ("http://hooks.example.com/x", False, True),
        ("http://127.0.0.1:9000/x", True, False),
        ("https://127.0.0.1/x", False, True),
        ("https://[::1]/x", False, True),
        ("https://user:pw@hooks.example.com/x", False, True),
        ("ftp://hooks.example.com/x", True, True),
        ("not a url", True, True),
    ],
)
def test_url_checks(url, allow_private, refused):
    assert bool(url_errors(url, allow_private=allow_private)) == refused


def test_the_signature_is_hmac_sha256_over_timestamp_and_body():
    body = '{"id":"1"}'
    expected = hmac.new(b"whsec_k", b'1700000000.{"id":"1"}', hashlib.sha256)
    assert (
        sign("whsec_k", 1700000000, body) == f"t=1700000000,v1={expected.hexdigest()}"
    )


def test_a_capture_is_also_payment_captured():
    captured = {"payment_status": "captured", "previous_payment_status": "authorized"}
    assert webhook_types("booking.payment_changed", captured) == [
        WebhookEventType.BOOKING_PAYMENT_CHANGED,
        WebhookEventType.PAYMENT_CAPTURED,
    ]
    again = {"payment_status": "captured", "previous_payment_status": "captured"}
    assert WebhookEventType.PAYMENT_CAPTURED not in webhook_types(
        "booking.payment_changed", again
    )
    assert webhook_types("booking.payout_sent", {}) == []
