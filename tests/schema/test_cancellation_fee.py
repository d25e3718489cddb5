"""The late-cancellation fee is owed only for a booking the worker accepted.

Both cases start two hours ahead (well inside the 24-hour window) and are
checked against localstripe's own PaymentIntent, not only our record of it.
"""

from __future__ import annotations

from datetime import timedelta

from gigsta.documents import Booking
from tests.ids import raw_id
from tests.schema.payments_helpers import must, parties, read, request

LATE_FEE, LATE_PAYOUT = 4500, 3825


def _cancel_note(booking):
    (note,) = [
        a["paymentNote"]
        for a in booking["availableActions"]
        if a["actionName"] == "cancel"
    ]
    return note


async def test_cancelling_a_request_not_yet_accepted_is_free_even_late(
    gql, clock, stripe_harness
):
    s = stripe_harness
    p = await parties(gql, clock)
    start = clock.now + timedelta(hours=2)
    booking = (await request(gql, p, "pm_card_visa", start))["booking"]
    assert booking["status"] == "REQUESTED"
    assert _cancel_note(booking) == (
        "The worker has not accepted yet, so cancelling is free: "
        "the card hold is released in full."
    )
    booking = await must(gql, p.customer_token, booking, "cancel")
    assert booking["status"] == "CANCELLED"
    assert booking["payment"]["status"] == "RELEASED"
    assert booking["payment"]["capturedAmount"] == 0
    doc = await Booking.get(raw_id(booking["id"]))
    intent = s.intent(doc.payment.intent_id)
    assert intent["status"] == "canceled"
    assert intent["latest_charge"]["captured"] is False
    assert s.recorder.calls("POST", "/capture") == []
    assert doc.payout is None


async def test_cancelling_an_accepted_booking_late_captures_the_fee(
    gql, clock, stripe_harness
):
    s = stripe_harness
    p = await parties(gql, clock)
    start = clock.now + timedelta(hours=2)
    booking = (await request(gql, p, "pm_card_visa", start))["booking"]
    booking = await must(gql, p.worker_token, booking, "accept")
    booking = await read(gql, p.customer_token, booking["id"])
    assert _cancel_note(booking) == (
        "A $45.00 NZD cancellation fee is charged to the card; "
        "the rest of the hold is released."
    )
    booking = await must(gql, p.customer_token, booking, "cancel")
    assert booking["status"] == "CANCELLED"
    assert booking["payment"]["status"] == "CAPTURED"
    assert booking["payment"]["capturedAmount"] == LATE_FEE
    doc = await Booking.get(raw_id(booking["id"]))
    intent = s.intent(doc.payment.intent_id)
    assert intent["status"] == "succeeded"
    # localstripe books the uncaptured rest of the hold as a refund.
    charge = intent["latest_charge"]
    assert charge["captured"] is True
    assert charge["amount"] - charge["amount_refunded"] == LATE_FEE
    assert (doc.payout.status, doc.payout.amount) == ("pending", LATE_PAYOUT)
