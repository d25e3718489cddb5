"""API key format and the leaky bucket's arithmetic (pure)."""

from __future__ import annotations

import pytest

from gigsta.domain.partners import LeakyBucket, compose_key, is_api_key, key_prefix

SECRET = "A" * 43


def test_a_key_reads_back_its_prefix():
    key = compose_key("0123456789ab", SECRET)
    assert key == f"gsk_live_0123456789ab_{SECRET}"
    assert is_api_key(key)
    assert key_prefix(key) == "gsk_live_0123456789ab"


@pytest.mark.parametrize(
    "key",
    [
        "gsk_live_0123456789ab_" + "A" * 42,  # a character short
        "gsk_live_0123456789AB_" + SECRET,  # the lookup part is lower-case hex
        "gsk_test_0123456789ab_" + SECRET,
        "gsk_live_0123456789ab" + SECRET,
        "eyJhbGciOiJIUzI1NiJ9.e30.x",  # a JWT
    ],
)
def test_malformed_keys_have_no_prefix(key):
    assert key_prefix(key) is None


BUCKET = LeakyBucket(capacity=100, restore_rate=10)


@pytest.mark.parametrize(
    ("tat", "cost", "fits", "available"),
    [
        (0.0, 100, True, 100),  # empty history: full
        (1000.0, 100, True, 100),  # refilled long ago
        (1005.0, 50, True, 50),  # 5 s of use left: 50 available
        (1005.0, 51, False, 50),
        (1010.0, 1, False, 0),  # just emptied
        (1011.0, 1, True, 100),  # beyond any honest use: a skewed clock
    ],
)
def test_the_bucket_admits_what_it_holds(tat, cost, fits, available):
    now = 1000.0
    assert BUCKET.fits(tat, cost, now) is fits
    assert BUCKET.available(tat, now) == available


def test_retry_after_is_when_the_cost_fits():
    assert BUCKET.retry_after(1010.0, 30, 1000.0) == pytest.approx(3.0)
    assert BUCKET.retry_after(1000.0, 30, 1000.0) == 0.0


@pytest.mark.parametrize(
    ("tat", "after"),
    [
        (900.0, 1003.0),  # refilled: from now
        (1005.0, 1008.0),  # in use: after what is in use
        (1011.0, 1003.0),  # beyond any honest use (a skewed clock): from now
    ],
)
def test_a_charge_moves_the_bucket_as_the_stored_update_does(tat, after):
    assert BUCKET.charged(tat, 30, 1000.0) == pytest.approx(after)
    assert BUCKET.refill_seconds == 10.0
