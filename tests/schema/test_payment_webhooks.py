"""3-D Secure, signed webhooks (replayed, forged, out of order), retries after
a Stripe failure, deferred holds and the reconcile job."""

from __future__ import annotations

from datetime import datetime, timedelta

import pytest

from gigsta.documents import Booking, StripeEvent
from tests.fixtures_stripe import make_event, sign
from tests.ids import raw_id
from tests.schema.payments_helpers import (
    act,
    deliver_to_completion,
    must,
    parties,
    read,
    request,
    run_sweep,
)

TOTAL = 9450
THREE_DS_CARD = "4000002500003155"
DECLINED_ON_CHARGE = "4000000000000341"


async def _pending(gql, clock, s):
    p = await parties(gql, clock)
    payload = await request(
        gql, p, s.card(THREE_DS_CARD), clock.now + timedelta(days=3)
    )
    assert payload["errors"] == []
    return p, payload["booking"]


async def test_3ds_waits_for_the_customer_then_the_webhook_requests(
    gql, clock, stripe_harness
):
    s = stripe_harness
    p, booking = await _pending(gql, clock, s)
    assert booking["status"] == "PENDING_PAYMENT"
    assert booking["payment"]["status"] == "REQUIRES_ACTION"
    secret = booking["payment"]["clientSecret"]
    doc = await Booking.get(raw_id(booking["id"]))
    assert secret == s.intent(doc.payment.intent_id)["client_secret"]
    assert booking["availableActions"] == []
    # Not yet the worker's business.
    assert await read_or_none(gql, p.worker_token, booking["id"]) is None
    data = await gql("{ bookings { edges { node { id } } } }", token=p.worker_token)
    assert data["bookings"]["edges"] == []

    s.authenticate(doc.payment.intent_id, secret, success=True)
    event = make_event(
        "payment_intent.amount_capturable_updated", s.intent(doc.payment.intent_id)
    )
    response = await s.deliver(event)
    assert response.status_code == 200
    booking = await read(gql, p.customer_token, booking["id"])
    assert booking["status"] == "REQUESTED"
    assert booking["payment"]["status"] == "AUTHORIZED"
    assert booking["payment"]["authorizedAmount"] == TOTAL
    assert booking["payment"]["clientSecret"] is None
    assert (await read(gql, p.worker_token, booking["id"]))["status"] == "REQUESTED"
    assert await StripeEvent.find({"event_id": event["id"]}).count() == 1

    # The same delivery again changes nothing.
    version = booking["version"]
    again = await s.deliver(event)
    assert again.status_code == 200
    assert again.json()["duplicate"] is True
    assert (await read(gql, p.customer_token, booking["id"]))["version"] == version
    assert await StripeEvent.find({"event_id": event["id"]}).count() == 1


async def read_or_none(gql, token, booking_id):
    data = await gql(
        "query($id: ID!) { booking(id: $id) { id } }", {"id": booking_id}, token=token
    )
    return data["booking"]


async def test_forged_or_unsigned_webhooks_are_refused(gql, clock, stripe_harness):
    s = stripe_harness
    p, booking = await _pending(gql, clock, s)
    doc = await Booking.get(raw_id(booking["id"]))
    s.authenticate(doc.payment.intent_id, doc.payment.client_secret, success=True)
    event = make_event(
        "payment_intent.amount_capturable_updated", s.intent(doc.payment.intent_id)
    )
    import json

    body = json.dumps(event).encode()
    forged = sign(body, secret="whsec_not_ours")
    assert (await s.deliver(event, signature=forged)).status_code == 400
    assert (await s.deliver(event, signature=None)).status_code == 400
    assert (await s.deliver(event, signature="t=1,v1=deadbeef")).status_code == 400
    # A valid signature of a different body does not carry over.
    other = sign(b'{"id": "evt_other"}')
    assert (await s.deliver(event, signature=other)).status_code == 400
    # A signature older than Stripe's 5-minute tolerance is refused too.
    stale = sign(body, at=int(event["created"]) - 3600)
    assert (await s.deliver(event, signature=stale)).status_code == 400
    assert await StripeEvent.find_all().count() == 0
    after = await read(gql, p.customer_token, booking["id"])
    assert (after["status"], after["version"]) == ("PENDING_PAYMENT", 1)


async def test_out_of_order_events_cannot_move_a_booking_back(
    gql, clock, stripe_harness
):
    s = stripe_harness
    p, booking = await _pending(gql, clock, s)
    doc = await Booking.get(raw_id(booking["id"]))
    stale_snapshot = s.intent(doc.payment.intent_id)  # requires_action
    s.authenticate(doc.payment.intent_id, doc.payment.client_secret, success=True)
    fresh = make_event(
        "payment_intent.amount_capturable_updated", s.intent(doc.payment.intent_id)
    )
    assert (await s.deliver(fresh)).status_code == 200
    # An older event arriving late: the handler re-reads the intent from Stripe.
    late = make_event("payment_intent.requires_action", stale_snapshot)
    assert (await s.deliver(late)).status_code == 200
    booking = await read(gql, p.customer_token, booking["id"])
    assert (booking["status"], booking["payment"]["status"]) == (
        "REQUESTED",
        "AUTHORIZED",
    )


async def test_failed_authentication_ends_the_request(gql, clock, stripe_harness):
    s = stripe_harness
    p, booking = await _pending(gql, clock, s)
    doc = await Booking.get(raw_id(booking["id"]))
    s.authenticate(doc.payment.intent_id, doc.payment.client_secret, success=False)
    event = make_event("payment_intent.payment_failed", s.intent(doc.payment.intent_id))
    assert (await s.deliver(event)).status_code == 200
    booking = await read(gql, p.customer_token, booking["id"])
    assert booking["status"] == "PAYMENT_FAILED"
    assert booking["payment"]["status"] == "FAILED"
    assert "authentication" in booking["payment"]["failureMessage"]


async def test_unfinished_3ds_expires_after_30_minutes(
    gql, clock, stripe_harness, settings
):
    s = stripe_harness
    p, booking = await _pending(gql, clock, s)
    clock.advance(timedelta(minutes=29))
    report = await run_sweep(settings, clock)
    assert report.moved["expire_unpaid"] == 0
    clock.advance(timedelta(minutes=1))
    report = await run_sweep(settings, clock)
    assert report.moved["expire_unpaid"] == 1
    booking = await read(gql, p.customer_token, booking["id"])
    assert (booking["status"], booking["payment"]["status"]) == ("EXPIRED", "RELEASED")
    doc = await Booking.get(raw_id(booking["id"]))
    assert s.intent(doc.payment.intent_id)["status"] == "canceled"


async def test_reconcile_applies_a_missed_authorization(
    gql, clock, stripe_harness, settings
):
    s = stripe_harness
    p, booking = await _pending(gql, clock, s)
    doc = await Booking.get(raw_id(booking["id"]))
    s.authenticate(doc.payment.intent_id, doc.payment.client_secret, success=True)
    # No webhook arrives (lost); the next sweep asks Stripe.
    report = await run_sweep(settings, clock)
    assert report.payments["reconciled"] == 1
    booking = await read(gql, p.customer_token, booking["id"])
    assert (booking["status"], booking["payment"]["status"]) == (
        "REQUESTED",
        "AUTHORIZED",
    )


async def test_unknown_events_are_acknowledged(stripe_harness):
    response = await stripe_harness.deliver(
        make_event("customer.created", {"id": "cus_123", "object": "customer"})
    )
    assert response.status_code == 200
    assert await StripeEvent.find({"type": "customer.created"}).count() == 1


async def test_capture_retried_after_stripe_was_down(gql, clock, stripe_harness):
    s = stripe_harness
    p = await parties(gql, clock)
    booking = (await request(gql, p, "pm_card_visa", clock.now + timedelta(days=3)))[
        "booking"
    ]
    booking = await deliver_to_completion(gql, p, booking, clock)
    s.recorder.fail_next("POST", "/capture")
    payload = await act(gql, p.customer_token, booking, "confirm")
    assert [e["code"] for e in payload["errors"]] == ["PAYMENT_FAILED"]
    assert "Simulated Stripe outage" in payload["errors"][0]["message"]
    assert payload["booking"]["status"] == "COMPLETED"
    assert payload["booking"]["version"] == booking["version"]
    doc = await Booking.get(raw_id(booking["id"]))
    assert doc.payment_lock is None
    assert s.intent(doc.payment.intent_id)["status"] == "requires_capture"

    booking = await must(gql, p.customer_token, booking, "confirm")
    assert booking["status"] == "CLOSED"
    captures = s.recorder.calls("POST", "/capture")
    assert len(captures) == 2
    assert {c.headers["Idempotency-Key"] for c in captures} == {
        f"gigsta:{raw_id(booking['id'])}:confirm:v{booking['version'] - 1}"
    }
    assert [c.status for c in captures] == [500, 200]
    intent = s.intent(doc.payment.intent_id)
    assert intent["status"] == "succeeded"
    assert intent["latest_charge"]["amount_refunded"] == 0


async def test_capture_whose_answer_was_lost_is_not_repeated(
    gql, clock, stripe_harness
):
    """Stripe captured, but we never heard back: the retry must not capture again
    (localstripe ignores Idempotency-Key, so our own read-then-act holds this)."""
    s = stripe_harness
    p = await parties(gql, clock)
    booking = (await request(gql, p, "pm_card_visa", clock.now + timedelta(days=3)))[
        "booking"
    ]
    booking = await deliver_to_completion(gql, p, booking, clock)
    s.recorder.fail_next("POST", "/capture", after_forwarding=True)
    payload = await act(gql, p.customer_token, booking, "confirm")
    assert [e["code"] for e in payload["errors"]] == ["PAYMENT_FAILED"]
    assert payload["booking"]["status"] == "COMPLETED"
    doc = await Booking.get(raw_id(booking["id"]))
    assert s.intent(doc.payment.intent_id)["status"] == "succeeded"  # it did happen

    booking = await must(gql, p.customer_token, booking, "confirm")
    assert (booking["status"], booking["payment"]["capturedAmount"]) == (
        "CLOSED",
        TOTAL,
    )
    assert len(s.recorder.calls("POST", "/capture")) == 1
    doc = await Booking.get(raw_id(booking["id"]))
    assert (doc.payout.status, doc.payout.amount) == ("pending", 7650)


async def test_a_transition_in_flight_blocks_others(gql, clock, stripe_harness):
    """While a late cancellation's capture is in flight, the worker cannot withdraw."""
    s = stripe_harness
    p = await parties(gql, clock)
    start = clock.now + timedelta(days=3)
    booking = (await request(gql, p, "pm_card_visa", start))["booking"]
    # Only an accepted booking owes the late fee whose capture is interrupted.
    booking = await must(gql, p.worker_token, booking, "accept")
    clock.now = start - timedelta(hours=2)
    s.recorder.fail_next("POST", "/capture", after_forwarding=True)
    payload = await act(gql, p.customer_token, booking, "cancel")
    assert [e["code"] for e in payload["errors"]] == ["PAYMENT_FAILED"]
    # Simulate the process dying before it released its lock.
    doc = await Booking.get(raw_id(booking["id"]))
    from gigsta.documents.payments import PaymentLock
    from gigsta.resolvers.payments.config import idempotency_key

    key = idempotency_key(doc.id, "cancel", doc.version)
    lock = PaymentLock(
        key=key,
        token="dead-process",
        action="cancel",
        version=doc.version,
        role="customer",
        at=clock.now,
        effect_kind="capture",
        capture_amount=4500,
        worker_payout=3825,
    )
    await Booking.get_pymongo_collection().update_one(
        {"_id": doc.id}, {"$set": {"payment_lock": lock.model_dump(mode="python")}}
    )
    payload = await act(gql, p.worker_token, booking, "withdraw", reason="Sick")
    assert [e["code"] for e in payload["errors"]] == ["VERSION_CONFLICT"]
    # The holder might still be talking to Stripe: a retry waits its turn...
    payload = await act(gql, p.customer_token, booking, "cancel")
    assert [e["code"] for e in payload["errors"]] == ["VERSION_CONFLICT"]
    assert "being processed" in payload["errors"][0]["message"]
    assert payload["booking"]["status"] == "ACCEPTED"
    # ...and once the holder must be dead, the customer's retry (same key)
    # finishes it, without a second capture and with the fee decided then.
    clock.advance(timedelta(minutes=3))
    booking = await must(gql, p.customer_token, booking, "cancel")
    assert (booking["status"], booking["payment"]["capturedAmount"]) == (
        "CANCELLED",
        4500,
    )
    assert len(s.recorder.calls("POST", "/capture")) == 1


async def test_reconcile_finishes_a_transition_whose_process_died(
    gql, clock, stripe_harness, settings
):
    s = stripe_harness
    p = await parties(gql, clock)
    booking = (await request(gql, p, "pm_card_visa", clock.now + timedelta(days=3)))[
        "booking"
    ]
    booking = await deliver_to_completion(gql, p, booking, clock)
    s.recorder.fail_next("POST", "/capture", after_forwarding=True)
    await act(gql, p.customer_token, booking, "confirm")
    doc = await Booking.get(raw_id(booking["id"]))
    from gigsta.documents.payments import PaymentLock
    from gigsta.resolvers.payments.config import idempotency_key

    lock = PaymentLock(
        key=idempotency_key(doc.id, "confirm", doc.version),
        token="dead-process",
        action="confirm",
        version=doc.version,
        role="customer",
        at=clock.now,
        effect_kind="capture",
        capture_amount=TOTAL,
        worker_payout=7650,
    )
    await Booking.get_pymongo_collection().update_one(
        {"_id": doc.id}, {"$set": {"payment_lock": lock.model_dump(mode="python")}}
    )
    report = await run_sweep(settings, clock)
    assert report.payments["reconciled"] == 0  # the lock is still fresh
    clock.advance(timedelta(minutes=11))
    report = await run_sweep(settings, clock)
    assert report.payments["reconciled"] == 1
    booking = await read(gql, p.customer_token, booking["id"])
    assert (booking["status"], booking["payment"]["capturedAmount"]) == (
        "CLOSED",
        TOTAL,
    )
    assert len(s.recorder.calls("POST", "/capture")) == 1


async def test_far_bookings_save_the_card_and_are_held_48_hours_before(
    gql, clock, stripe_harness, settings
):
    s = stripe_harness
    p = await parties(gql, clock)
    start = clock.now + timedelta(days=10)
    payload = await request(gql, p, "pm_card_visa", start)
    booking = payload["booking"]
    assert booking["status"] == "REQUESTED"
    assert booking["payment"]["status"] == "DEFERRED"
    assert booking["payment"]["authorizedAmount"] == 0
    authorize_at = datetime.fromisoformat(booking["payment"]["authorizeAt"])
    assert authorize_at == start - timedelta(hours=48)
    assert s.recorder.calls("POST", "/v1/payment_intents") == []
    (customer,) = s.recorder.calls("POST", "/v1/customers")
    assert (
        customer.headers["Idempotency-Key"]
        == f"gigsta:customer:{raw_id(p.customer_id)}"
    )
    (attach,) = s.recorder.calls("POST", "/attach")
    assert (
        attach.headers["Idempotency-Key"]
        == f"gigsta:{raw_id(booking['id'])}:save_card:v1"
    )
    booking = await must(gql, p.worker_token, booking, "accept")

    clock.now = start - timedelta(hours=49)
    await run_sweep(settings, clock)
    assert s.recorder.calls("POST", "/v1/payment_intents") == []
    clock.now = start - timedelta(hours=48)
    report = await run_sweep(settings, clock)
    assert report.moved["authorize"] == 1
    (create,) = s.recorder.calls("POST", "/v1/payment_intents")
    assert create.params["off_session"] == "true"
    assert create.params["customer"].startswith("cus_")
    assert create.params["amount"] == str(TOTAL)
    assert create.headers["Idempotency-Key"] == (
        f"gigsta:{raw_id(booking['id'])}:authorize:v{booking['version']}"
    )
    booking = await read(gql, p.customer_token, booking["id"])
    assert booking["status"] == "ACCEPTED"
    assert booking["payment"]["status"] == "AUTHORIZED"
    assert booking["payment"]["authorizedAmount"] == TOTAL
    # The rest of the lifecycle works on the deferred hold as on any other.
    clock.now = start - timedelta(minutes=30)
    booking = await must(gql, p.worker_token, booking, "start")
    booking = await must(gql, p.worker_token, booking, "complete")
    booking = await must(gql, p.customer_token, booking, "confirm")
    assert booking["payment"]["capturedAmount"] == TOTAL


async def test_a_deferred_hold_that_fails_ends_the_booking_visibly(
    gql, clock, stripe_harness, settings
):
    s = stripe_harness
    p = await parties(gql, clock)
    start = clock.now + timedelta(days=10)
    booking = (await request(gql, p, s.card(DECLINED_ON_CHARGE), start))["booking"]
    assert booking["payment"]["status"] == "DEFERRED"
    booking = await must(gql, p.worker_token, booking, "accept")
    clock.now = start - timedelta(hours=47)
    await run_sweep(settings, clock)
    booking = await read(gql, p.customer_token, booking["id"])
    assert booking["status"] == "PAYMENT_FAILED"
    assert booking["payment"]["status"] == "FAILED"
    assert booking["payment"]["failureMessage"] == "Your card was declined."
    assert booking["availableActions"] == []


async def test_a_card_declined_when_saved_is_declined_at_request(
    gql, clock, stripe_harness
):
    p = await parties(gql, clock)
    payload = await request(
        gql, p, "pm_card_visa_chargeDeclined", clock.now + timedelta(days=10)
    )
    assert [e["code"] for e in payload["errors"]] == ["PAYMENT_DECLINED"]
    assert await Booking.find_all().count() == 0


async def test_concurrent_confirms_capture_once(gql, clock, stripe_harness):
    import asyncio

    s = stripe_harness
    p = await parties(gql, clock)
    booking = (await request(gql, p, "pm_card_visa", clock.now + timedelta(days=3)))[
        "booking"
    ]
    booking = await deliver_to_completion(gql, p, booking, clock)
    token = p.customer_token
    first, second = await asyncio.gather(
        act(gql, token, booking, "confirm"), act(gql, token, booking, "confirm")
    )
    outcomes = sorted(
        [e["code"] for e in payload["errors"]] for payload in (first, second)
    )
    assert outcomes[0] == []
    assert outcomes[1][0] == "VERSION_CONFLICT"
    assert len(s.recorder.calls("POST", "/capture")) == 1
    booking = await read(gql, p.customer_token, booking["id"])
    assert (booking["status"], booking["payment"]["capturedAmount"]) == (
        "CLOSED",
        TOTAL,
    )


async def test_dashboard_refund_is_recorded_from_the_webhook(
    gql, clock, stripe_harness
):
    s = stripe_harness
    p = await parties(gql, clock)
    booking = (await request(gql, p, "pm_card_visa", clock.now + timedelta(days=3)))[
        "booking"
    ]
    booking = await deliver_to_completion(gql, p, booking, clock)
    booking = await must(gql, p.customer_token, booking, "confirm")
    doc = await Booking.get(raw_id(booking["id"]))
    # Support refunds part of it in the Stripe dashboard.
    s.client.v1.refunds.create(
        {"payment_intent": doc.payment.intent_id, "amount": 2000}
    )
    charge = s.intent(doc.payment.intent_id)["latest_charge"]
    assert (await s.deliver(make_event("charge.refunded", charge))).status_code == 200
    booking = await read(gql, p.customer_token, booking["id"])
    assert booking["payment"]["status"] == "CAPTURED"
    assert booking["payment"]["refundedAmount"] == 2000
    s.client.v1.refunds.create(
        {"payment_intent": doc.payment.intent_id, "amount": TOTAL - 2000}
    )
    charge = s.intent(doc.payment.intent_id)["latest_charge"]
    assert (await s.deliver(make_event("charge.refunded", charge))).status_code == 200
    booking = await read(gql, p.customer_token, booking["id"])
    assert booking["payment"]["status"] == "REFUNDED"
    assert booking["payment"]["refundedAmount"] == TOTAL


async def test_refund_when_a_lost_capture_is_later_released(gql, clock, stripe_harness):
    """The confirm's capture reached Stripe but its answer was lost; the customer
    then disputes and an admin refunds. Releasing a captured payment means a
    refund, and a refund retried after a lost answer is not made twice."""
    from tests.schema.payments_helpers import admin_token

    s = stripe_harness
    p = await parties(gql, clock)
    booking = (await request(gql, p, "pm_card_visa", clock.now + timedelta(days=3)))[
        "booking"
    ]
    booking = await deliver_to_completion(gql, p, booking, clock)
    s.recorder.fail_next("POST", "/capture", after_forwarding=True)
    assert (await act(gql, p.customer_token, booking, "confirm"))["errors"]
    booking = await must(gql, p.customer_token, booking, "dispute", reason="Messy")
    admin = await admin_token(gql, clock)
    s.recorder.fail_next("POST", "/v1/refunds", after_forwarding=True)
    payload = await act(gql, admin, booking, "resolve_for_customer", reason="Refund")
    assert [e["code"] for e in payload["errors"]] == ["PAYMENT_FAILED"]
    assert payload["booking"]["status"] == "DISPUTED"
    booking = await must(gql, admin, booking, "resolve_for_customer", reason="Refund")
    assert booking["status"] == "REFUNDED"
    assert booking["payment"]["status"] == "REFUNDED"
    assert booking["payment"]["capturedAmount"] == TOTAL
    assert booking["payment"]["refundedAmount"] == TOTAL
    refunds = s.recorder.calls("POST", "/v1/refunds")
    assert len(refunds) == 1
    assert refunds[0].params["amount"] == str(TOTAL)
    key = refunds[0].headers["Idempotency-Key"]
    assert (
        key == f"gigsta:{raw_id(booking['id'])}:resolve_for_customer:"
        f"v{booking['version'] - 1}"
    )
    assert refunds[0].params["metadata[idempotency_key]"] == key
    doc = await Booking.get(raw_id(booking["id"]))
    assert s.intent(doc.payment.intent_id)["latest_charge"]["amount_refunded"] == TOTAL
    assert doc.payout is None  # nothing owed to the worker


async def test_capture_recorded_by_webhook_before_the_retry_still_pays_the_worker(
    gql, clock, stripe_harness
):
    s = stripe_harness
    p = await parties(gql, clock)
    booking = (await request(gql, p, "pm_card_visa", clock.now + timedelta(days=3)))[
        "booking"
    ]
    booking = await deliver_to_completion(gql, p, booking, clock)
    s.recorder.fail_next("POST", "/capture", after_forwarding=True)
    assert (await act(gql, p.customer_token, booking, "confirm"))["errors"]
    doc = await Booking.get(raw_id(booking["id"]))
    event = make_event("payment_intent.succeeded", s.intent(doc.payment.intent_id))
    assert (await s.deliver(event)).status_code == 200
    booking = await read(gql, p.customer_token, booking["id"])
    assert booking["status"] == "COMPLETED"
    assert (booking["payment"]["status"], booking["payment"]["capturedAmount"]) == (
        "CAPTURED",
        TOTAL,
    )
    booking = await must(gql, p.customer_token, booking, "confirm")
    assert booking["status"] == "CLOSED"
    assert len(s.recorder.calls("POST", "/capture")) == 1
    doc = await Booking.get(raw_id(booking["id"]))
    assert (doc.payout.status, doc.payout.amount) == ("pending", 7650)


async def test_a_deferred_hold_needing_3ds_fails_off_session(
    gql, clock, stripe_harness, settings
):
    s = stripe_harness
    p = await parties(gql, clock)
    start = clock.now + timedelta(days=8)
    booking = (await request(gql, p, s.card(THREE_DS_CARD), start))["booking"]
    booking = await must(gql, p.worker_token, booking, "accept")
    clock.now = start - timedelta(hours=48)
    await run_sweep(settings, clock)
    booking = await read(gql, p.customer_token, booking["id"])
    assert booking["status"] == "PAYMENT_FAILED"
    assert "authentication" in booking["payment"]["failureMessage"]
    doc = await Booking.get(raw_id(booking["id"]))
    # The half-made intent is not left waiting for a customer who is not there.
    assert s.intent(doc.payment.intent_id)["status"] == "canceled"


async def test_a_deferred_booking_the_sweeper_missed_is_charged_at_confirm(
    gql, clock, stripe_harness
):
    s = stripe_harness
    p = await parties(gql, clock)
    start = clock.now + timedelta(days=10)
    booking = (await request(gql, p, "pm_card_visa", start))["booking"]
    booking = await must(gql, p.worker_token, booking, "accept")
    # No sweep ever runs: the hold 48 h before the start is never placed.
    clock.now = start - timedelta(minutes=30)
    booking = await must(gql, p.worker_token, booking, "start")
    booking = await must(gql, p.worker_token, booking, "complete")
    s.recorder.fail_next("POST", "/capture")
    payload = await act(gql, p.customer_token, booking, "confirm")
    assert [e["code"] for e in payload["errors"]] == ["PAYMENT_FAILED"]
    booking = await must(gql, p.customer_token, booking, "confirm")
    assert booking["status"] == "CLOSED"
    assert booking["payment"]["capturedAmount"] == TOTAL
    (create,) = s.recorder.calls("POST", "/v1/payment_intents")  # one hold only
    assert create.params["off_session"] == "true"
    assert create.headers["Idempotency-Key"] == (
        f"gigsta:{raw_id(booking['id'])}:confirm:v{booking['version'] - 1}:hold"
    )
    assert len(s.recorder.calls("POST", "/capture")) == 2  # the failed one, then ok
    doc = await Booking.get(raw_id(booking["id"]))
    assert (doc.payout.status, doc.payout.amount) == ("pending", 7650)


async def test_a_webhook_that_could_not_be_applied_is_applied_on_redelivery(
    gql, clock, stripe_harness
):
    s = stripe_harness
    p, booking = await _pending(gql, clock, s)
    doc = await Booking.get(raw_id(booking["id"]))
    s.authenticate(doc.payment.intent_id, doc.payment.client_secret, success=True)
    event = make_event(
        "payment_intent.amount_capturable_updated", s.intent(doc.payment.intent_id)
    )
    s.recorder.fail_next("GET", f"/v1/payment_intents/{doc.payment.intent_id}")
    response = await s.deliver(event)
    assert response.status_code == 503  # Stripe will deliver it again
    assert await StripeEvent.find({"event_id": event["id"]}).count() == 0
    assert (await read(gql, p.customer_token, booking["id"]))["status"] == (
        "PENDING_PAYMENT"
    )
    assert (await s.deliver(event)).status_code == 200
    assert (await read(gql, p.customer_token, booking["id"]))["status"] == "REQUESTED"


# Correctly signed, but not what Stripe sends for the event: a permanent
# problem, answered 400 (a retry cannot help) and logged with the event id.
def _intent_event(**overrides):
    event = make_event(
        "payment_intent.succeeded", {"id": "pi_shape", "object": "payment_intent"}
    )
    return {**event, **overrides}


MALFORMED_EVENTS = {
    "data.object is a string": _intent_event(data={"object": "pi_shape"}),
    "data is a list": _intent_event(data=[{"object": {"id": "pi_shape"}}]),
    "data is missing": _intent_event(data=None),
    "the object's id is an object": _intent_event(
        data={"object": {"id": {"$ne": None}, "object": "payment_intent"}}
    ),
    "the event id is an object": _intent_event(id={"$gt": ""}),
    "the type is a number": _intent_event(type=7),
    "an object of an unknown kind": _intent_event(
        data={"object": {"id": "in_1", "object": "invoice"}}
    ),
    "a refund whose intent is a list": make_event(
        "charge.refunded", {"id": "ch_1", "object": "charge", "payment_intent": [1]}
    ),
}


async def _deliver_raw(s, body: bytes):
    return await s.http.post(
        "/webhooks/stripe",
        content=body,
        headers={"Content-Type": "application/json", "Stripe-Signature": sign(body)},
    )


@pytest.mark.parametrize("shape", list(MALFORMED_EVENTS))
async def test_a_signed_event_of_an_unexpected_shape_is_refused(
    stripe_harness, app_log, shape
):
    event = MALFORMED_EVENTS[shape]
    response = await stripe_harness.deliver(event)
    assert response.status_code == 400, response.text
    assert response.json() == {"error": "malformed event"}
    assert await StripeEvent.find_all().count() == 0
    refused = [
        e
        for e in app_log.entries("gigsta.resolvers.payments.webhooks")
        if "refused" in e["message"]
    ]
    assert len(refused) == 1
    assert repr(event["id"])[:40] in refused[0]["message"]
    assert not any("exc_info" in e for e in app_log.entries())


@pytest.mark.parametrize(
    "body", [b"[]", b'[{"id": "evt_1"}]', b'"evt_1"', b"null", b"{not json"]
)
async def test_a_signed_body_that_is_not_an_event_is_refused(
    stripe_harness, app_log, body
):
    response = await _deliver_raw(stripe_harness, body)
    assert response.status_code == 400, response.text
    assert await StripeEvent.find_all().count() == 0
    assert any("refused" in e["message"] for e in app_log.entries())
    assert not any("exc_info" in e for e in app_log.entries())


async def test_an_intent_id_cannot_select_bookings(gql, clock, stripe_harness):
    """A query operator in place of an id must not match any booking."""
    p, booking = await _pending(gql, clock, stripe_harness)
    event = MALFORMED_EVENTS["the object's id is an object"]
    assert (await stripe_harness.deliver(event)).status_code == 400
    after = await read(gql, p.customer_token, booking["id"])
    assert (after["status"], after["version"]) == ("PENDING_PAYMENT", 1)
