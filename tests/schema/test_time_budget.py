"""Each GraphQL operation has a time budget; money-moving steps still finish.

The budget is made short here by giving the app's runtime settings with a
smaller `request_timeout_seconds` (read on every request); the slow part is a
real dependency made slow: the Addressable upstream, or Stripe through the
recording proxy.
"""

from __future__ import annotations

import asyncio
import time
from datetime import timedelta

import pytest

from gigsta.documents import Booking
from tests.ids import raw_id
from tests.schema.payments_helpers import parties, read, request

SUGGEST = '{ addressSuggestions(query: "queen street", country: NZ) { formatted } }'


@pytest.fixture
def budget(application, monkeypatch):
    runtime = application.state.runtime

    def set_budget(seconds: float) -> None:
        monkeypatch.setattr(
            runtime,
            "settings",
            runtime.settings.model_copy(update={"request_timeout_seconds": seconds}),
        )

    return set_budget


async def test_a_slow_query_is_cancelled_with_a_coded_error(
    gql, budget, addressable_upstream, app_log
):
    async def slow(request):
        await asyncio.sleep(30)

    addressable_upstream.handler = slow
    budget(0.3)
    response = await gql.http.post(
        "/graphql", json={"query": SUGGEST}, headers={"X-Request-ID": "slow-query-1"}
    )
    assert response.status_code == 503
    (error,) = response.json()["errors"]
    assert error["extensions"] == {"code": "TIMEOUT", "requestId": "slow-query-1"}
    warnings = [e for e in app_log.entries("gigsta.graphql") if e["level"] == "WARNING"]
    assert [e["request_id"] for e in warnings] == ["slow-query-1"]
    (access,) = [
        e for e in app_log.entries("gigsta.access") if e["request_id"] == "slow-query-1"
    ]
    assert (access["status"], access["outcome"]) == (503, "timeout")


async def test_a_money_movement_finishes_after_its_request_times_out(
    gql, clock, stripe_harness, budget
):
    s = stripe_harness
    p = await parties(gql, clock)
    booking = (await request(gql, p, "pm_card_visa", clock.now + timedelta(days=3)))[
        "booking"
    ]
    s.recorder.delay_next("POST", "/cancel", 1.5)
    budget(0.3)
    response = await gql.raw(
        """mutation($input: PerformBookingActionInput!) {
             performBookingAction(input: $input) { booking { status } } }""",
        {
            "input": {
                "bookingId": booking["id"],
                "action": "cancel",
                "expectedVersion": booking["version"],
            }
        },
        token=p.customer_token,
    )
    assert response.status_code == 503
    assert response.json()["errors"][0]["extensions"]["code"] == "TIMEOUT"
    # The release went on without the request: the booking is not left locked.
    deadline = time.monotonic() + 20
    while (doc := await Booking.get(raw_id(booking["id"]))).payment_lock is not None:
        assert time.monotonic() < deadline, "the payment lock was never released"
        await asyncio.sleep(0.1)
    assert doc.status.value == "cancelled"
    budget(30)  # reading it back is not what is timed (a loaded machine)
    current = await read(gql, p.customer_token, booking["id"])
    assert current["payment"]["status"] == "RELEASED"
    assert s.intent(doc.payment.intent_id)["status"] == "canceled"
