"""Stripe out of reach (a port nobody listens on): `PAYMENTS_UNAVAILABLE` with
our own message, nothing changed, and everything works again once it is back."""

from __future__ import annotations

import contextlib
from collections.abc import AsyncIterator
from datetime import timedelta
from typing import Any

from gigsta.documents import Booking
from gigsta.resolvers.payments.config import payments_from_settings
from scripts.processes import free_port
from tests.ids import raw_id
from tests.schema.payments_helpers import act, deliver_to_completion, parties, request


def closed_port() -> str:
    return f"http://127.0.0.1:{free_port()}"


@contextlib.asynccontextmanager
async def stripe_down(runtime: Any, settings: Any) -> AsyncIterator[None]:
    """The app's Stripe client pointed at a closed port meanwhile."""
    closed = closed_port()
    down = payments_from_settings(
        settings.model_copy(
            update={"stripe_api_base": closed, "stripe_connect_api_base": closed}
        )
    )
    assert down is not None
    saved, runtime.payments = runtime.payments, down
    try:
        yield
    finally:
        runtime.payments = saved
        await down.gateway.close()


def assert_unavailable(errors: list[dict[str, Any]], code: str) -> None:
    assert [e["code"] for e in errors] == [code], errors
    message = errors[0]["message"]
    assert "stripe.com" not in message
    assert "Error" not in message, message  # no exception names or internals


async def test_a_hold_while_stripe_is_down(
    runtime, settings, gql, clock, stripe_harness
):
    p = await parties(gql, clock)
    async with stripe_down(runtime, settings):
        payload = await request(gql, p, "pm_card_visa", clock.now + timedelta(days=3))
    assert payload["booking"] is None
    assert_unavailable(payload["errors"], "PAYMENTS_UNAVAILABLE")


async def test_a_capture_while_stripe_is_down_changes_nothing(
    runtime, settings, gql, clock, stripe_harness
):
    p = await parties(gql, clock)
    booking = (await request(gql, p, "pm_card_visa", clock.now + timedelta(days=3)))[
        "booking"
    ]
    booking = await deliver_to_completion(gql, p, booking, clock)
    async with stripe_down(runtime, settings):
        payload = await act(gql, p.customer_token, booking, "confirm")
    assert_unavailable(payload["errors"], "PAYMENTS_UNAVAILABLE")
    assert payload["booking"]["status"] == "COMPLETED"
    doc = await Booking.get(raw_id(booking["id"]))
    assert doc is not None
    assert doc.payment_lock is None
    # Back up: the same action goes through.
    payload = await act(gql, p.customer_token, booking, "confirm")
    assert payload["errors"] == []
    assert payload["booking"]["status"] == "CLOSED"


async def test_payout_onboarding_while_stripe_is_down(
    runtime, settings, gql, clock, stripe_harness
):
    p = await parties(gql, clock)
    async with stripe_down(runtime, settings):
        data = await gql(
            "mutation { startPayoutOnboarding { url errors { field code message } } }",
            token=p.worker_token,
        )
    payload = data["startPayoutOnboarding"]
    assert payload["url"] is None
    assert_unavailable(payload["errors"], "PAYMENTS_UNAVAILABLE")
