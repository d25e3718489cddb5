"""Money moves with the state machine: holds, captures, releases, fees, payouts.

Everything runs over GraphQL against the app, with the real `stripe` library
talking HTTP to a real localstripe (through a recording proxy) and to the
Connect stand-in. Amounts are exact cents (NZ: 2 h at $45.00/h).
"""

from __future__ import annotations

import asyncio
from datetime import timedelta

from gigsta.documents import Booking
from tests.fixtures_stripe import make_event
from tests.ids import global_id, raw_id
from tests.schema.payments_helpers import (
    admin_token,
    deliver_to_completion,
    must,
    parties,
    read,
    request,
    run_sweep,
)

# 2 h at $45.00/h: labour 9000 + 5 % fee 450 = 9450, GST 3/23 = 1233;
# commission 15 % = 1350, payout 7650; late cancellation 50 % = 4500 (3825).
TOTAL, GST, PAYOUT, LATE_FEE, LATE_PAYOUT = 9450, 1233, 7650, 4500, 3825


async def test_happy_path_hold_capture_and_payout_after_onboarding(
    gql, clock, stripe_harness, settings
):
    s = stripe_harness
    p = await parties(gql, clock)
    start = clock.now + timedelta(days=3)
    payload = await request(gql, p, "pm_card_visa", start)
    assert payload["errors"] == []
    booking = payload["booking"]
    assert booking["status"] == "REQUESTED"
    assert booking["price"]["total"] == TOTAL
    assert booking["price"]["gstIncluded"] == GST
    assert booking["price"]["currency"] == "NZD"
    assert booking["price"]["workerPayout"] is None  # the customer's view
    assert [(li["code"], li["amount"]) for li in booking["price"]["lineItems"]] == [
        ("labour", 9000),
        ("booking_fee", 450),
    ]
    assert booking["payment"]["status"] == "AUTHORIZED"
    assert booking["payment"]["authorizedAmount"] == TOTAL
    assert booking["payment"]["clientSecret"] is None

    # The hold at Stripe, and the key it was created with.
    (create,) = s.recorder.calls("POST", "/v1/payment_intents")
    assert create.params["amount"] == str(TOTAL)
    assert create.params["currency"] == "nzd"
    assert create.params["capture_method"] == "manual"
    assert (
        create.headers["Idempotency-Key"]
        == f"gigsta:{raw_id(booking['id'])}:request:v1"
    )
    doc = await Booking.get(raw_id(booking["id"]))
    intent = s.intent(doc.payment.intent_id)
    assert (intent["status"], intent["amount"]) == ("requires_capture", TOTAL)

    # The worker sees their payout, not the customer's total or payment.
    worker_view = await read(gql, p.worker_token, booking["id"])
    assert worker_view["price"]["workerPayout"] == PAYOUT
    assert worker_view["price"]["total"] is None
    assert worker_view["payment"] is None

    booking = await deliver_to_completion(gql, p, booking, clock)
    booking = await read(gql, p.customer_token, booking["id"])
    confirm_note = {
        a["actionName"]: a["paymentNote"] for a in booking["availableActions"]
    }
    assert confirm_note == {"confirm": "$94.50 NZD is charged.", "dispute": None}
    version = booking["version"]
    booking = await must(gql, p.customer_token, booking, "confirm")
    assert booking["status"] == "CLOSED"
    assert booking["payment"]["status"] == "CAPTURED"
    assert booking["payment"]["capturedAmount"] == TOTAL
    (capture,) = s.recorder.calls("POST", "/capture")
    assert capture.params["amount_to_capture"] == str(TOTAL)
    assert capture.headers["Idempotency-Key"] == (
        f"gigsta:{raw_id(booking['id'])}:confirm:v{version}"
    )
    intent = s.intent(doc.payment.intent_id)
    assert intent["status"] == "succeeded"
    assert intent["latest_charge"]["amount_refunded"] == 0

    # Not onboarded yet: the share waits.
    q = """query($id: ID!) { worker(id: $id) { payoutsEnabled
             pendingPayouts { bookingId amount currency } } }"""
    data = await gql(q, {"id": p.worker_id}, token=p.worker_token)
    assert data["worker"] == {
        "payoutsEnabled": False,
        "pendingPayouts": [
            {"bookingId": booking["id"], "amount": PAYOUT, "currency": "NZD"}
        ],
    }
    # Others see neither.
    data = await gql(q, {"id": p.worker_id}, token=p.customer_token)
    assert data["worker"] == {"payoutsEnabled": None, "pendingPayouts": []}

    data = await gql(
        "mutation { startPayoutOnboarding { url errors { code message } } }",
        token=p.worker_token,
    )
    assert data["startPayoutOnboarding"]["errors"] == []
    assert data["startPayoutOnboarding"]["url"].startswith(
        "https://connect.stripe.test/setup/e/acct_"
    )
    (account_call,) = s.connect.calls("/v1/accounts")
    assert account_call.params["type"] == "express"
    assert account_call.params["country"] == "NZ"
    assert account_call.params["capabilities[transfers][requested]"] == "true"
    assert account_call.params["metadata[gigsta_worker_id]"] == raw_id(p.worker_id)
    assert (
        account_call.idempotency_key
        == f"gigsta:worker:{raw_id(p.worker_id)}:connect_account"
    )
    (link_call,) = s.connect.calls("/v1/account_links")
    account_id = link_call.params["account"]
    assert link_call.params["type"] == "account_onboarding"

    # A sweep before onboarding is finished sends nothing.
    await run_sweep(settings, clock)
    assert s.connect.calls("/v1/transfers") == []

    account = s.connect.finish_onboarding(account_id)
    response = await s.deliver(make_event("account.updated", account))
    assert response.status_code == 200
    data = await gql(q, {"id": p.worker_id}, token=p.worker_token)
    assert data["worker"]["payoutsEnabled"] is True

    report = await run_sweep(settings, clock)
    assert report.payments["payouts_sent"] == 1
    (transfer,) = s.connect.calls("/v1/transfers")
    assert transfer.params["amount"] == str(PAYOUT)
    assert transfer.params["currency"] == "nzd"
    assert transfer.params["destination"] == account_id
    assert transfer.params["transfer_group"] == f"booking_{raw_id(booking['id'])}"
    assert transfer.idempotency_key == f"gigsta:{raw_id(booking['id'])}:payout"
    data = await gql(q, {"id": p.worker_id}, token=p.worker_token)
    assert data["worker"]["pendingPayouts"] == []
    # A second sweep sends nothing more.
    await run_sweep(settings, clock)
    assert len(s.connect.calls("/v1/transfers")) == 1


async def test_onboarded_worker_is_paid_at_capture(gql, clock, stripe_harness):
    s = stripe_harness
    p = await parties(gql, clock)
    data = await gql(
        "mutation { startPayoutOnboarding { url errors { code } } }",
        token=p.worker_token,
    )
    account_id = s.connect.calls("/v1/account_links")[0].params["account"]
    await s.deliver(
        make_event("account.updated", s.connect.finish_onboarding(account_id))
    )
    booking = (await request(gql, p, "pm_card_visa", clock.now + timedelta(days=3)))[
        "booking"
    ]
    booking = await deliver_to_completion(gql, p, booking, clock)
    booking = await must(gql, p.customer_token, booking, "confirm")
    (transfer,) = s.connect.calls("/v1/transfers")
    assert (transfer.params["amount"], transfer.params["destination"]) == (
        str(PAYOUT),
        account_id,
    )
    doc = await Booking.get(raw_id(booking["id"]))
    assert doc.payout.status == "sent"
    assert doc.payout.transfer_id.startswith("tr_")
    assert data["startPayoutOnboarding"]["errors"] == []


async def test_free_cancellation_releases_the_whole_hold(gql, clock, stripe_harness):
    s = stripe_harness
    p = await parties(gql, clock)
    start = clock.now + timedelta(days=3)
    booking = (await request(gql, p, "pm_card_visa", start))["booking"]
    notes = {a["actionName"]: a["paymentNote"] for a in booking["availableActions"]}
    assert notes["cancel"] == "The card hold is released in full; nothing is charged."
    booking = await must(gql, p.customer_token, booking, "cancel")
    assert booking["status"] == "CANCELLED"
    assert booking["payment"]["status"] == "RELEASED"
    assert booking["payment"]["capturedAmount"] == 0
    doc = await Booking.get(raw_id(booking["id"]))
    assert s.intent(doc.payment.intent_id)["status"] == "canceled"
    assert doc.payout is None
    (cancel,) = s.recorder.calls("POST", "/cancel")
    assert (
        cancel.headers["Idempotency-Key"] == f"gigsta:{raw_id(booking['id'])}:cancel:v1"
    )


async def test_late_cancellation_captures_the_fee_and_releases_the_rest(
    gql, clock, stripe_harness
):
    s = stripe_harness
    p = await parties(gql, clock)
    start = clock.now + timedelta(days=3)
    booking = (await request(gql, p, "pm_card_visa", start))["booking"]
    booking = await must(gql, p.worker_token, booking, "accept")
    clock.now = start - timedelta(hours=23)
    booking = await read(gql, p.customer_token, booking["id"])
    notes = {a["actionName"]: a["paymentNote"] for a in booking["availableActions"]}
    assert notes["cancel"] == (
        "A $45.00 NZD cancellation fee is charged to the card; "
        "the rest of the hold is released."
    )
    assert booking["price"]["lateCancellationFee"] == LATE_FEE
    booking = await must(gql, p.customer_token, booking, "cancel")
    assert booking["status"] == "CANCELLED"
    assert booking["payment"]["status"] == "CAPTURED"
    assert booking["payment"]["capturedAmount"] == LATE_FEE
    (capture,) = s.recorder.calls("POST", "/capture")
    assert capture.params["amount_to_capture"] == str(LATE_FEE)
    doc = await Booking.get(raw_id(booking["id"]))
    intent = s.intent(doc.payment.intent_id)
    assert intent["status"] == "succeeded"
    # localstripe books the uncaptured rest of the hold as a refund.
    assert intent["latest_charge"]["amount_refunded"] == TOTAL - LATE_FEE
    assert (doc.payout.status, doc.payout.amount) == ("pending", LATE_PAYOUT)


async def test_cancellation_at_exactly_24_hours_is_late(gql, clock, stripe_harness):
    p = await parties(gql, clock)
    start = clock.now + timedelta(days=3)
    booking = (await request(gql, p, "pm_card_visa", start))["booking"]
    # The fee is owed only once the worker has accepted (a request is free).
    booking = await must(gql, p.worker_token, booking, "accept")
    clock.now = start - timedelta(hours=24)
    booking = await must(gql, p.customer_token, booking, "cancel")
    assert booking["payment"]["capturedAmount"] == LATE_FEE


async def test_worker_decline_and_withdraw_release_the_hold(gql, clock, stripe_harness):
    s = stripe_harness
    p = await parties(gql, clock)
    start = clock.now + timedelta(days=3)
    first = (await request(gql, p, "pm_card_visa", start))["booking"]
    first = await must(gql, p.worker_token, first, "decline", reason="Busy")
    assert (first["status"], first["payment"]) == ("DECLINED", None)  # worker view
    first = await read(gql, p.customer_token, first["id"])
    assert first["payment"]["status"] == "RELEASED"

    second = (await request(gql, p, "pm_card_visa", start + timedelta(hours=3)))[
        "booking"
    ]
    second = await must(gql, p.worker_token, second, "accept")
    clock.now = start - timedelta(hours=1)  # even late, the worker pays nothing
    second = await must(gql, p.worker_token, second, "withdraw", reason="Sick")
    second = await read(gql, p.customer_token, second["id"])
    assert second["payment"]["status"] == "RELEASED"
    assert second["payment"]["capturedAmount"] == 0
    for booking_id in (first["id"], second["id"]):
        doc = await Booking.get(raw_id(booking_id))
        assert s.intent(doc.payment.intent_id)["status"] == "canceled"


async def test_admin_cancel_and_dispute_outcomes(gql, clock, stripe_harness):
    s = stripe_harness
    p = await parties(gql, clock)
    start = clock.now + timedelta(days=3)
    cancelled = (await request(gql, p, "pm_card_visa", start))["booking"]
    admin = await admin_token(gql, clock)
    cancelled = await must(gql, admin, cancelled, "admin_cancel", reason="Fraud")
    assert cancelled["payment"]["status"] == "RELEASED"

    # Different windows: an identical request would be taken for a retry, and
    # one overlapping a held booking is refused (WORKER_UNAVAILABLE).
    one_hour, two_hours = timedelta(hours=1), timedelta(hours=2)
    for_worker = (await request(gql, p, "pm_card_visa", start, duration=one_hour))[
        "booking"
    ]
    for_customer = (
        await request(gql, p, "pm_card_visa", start + one_hour, duration=two_hours)
    )["booking"]
    for_worker = await deliver_to_completion(gql, p, for_worker, clock)
    clock.now = start - timedelta(minutes=30)
    for_customer = await must(gql, p.worker_token, for_customer, "accept")
    for_customer = await must(gql, p.worker_token, for_customer, "start")
    for_customer = await must(gql, p.worker_token, for_customer, "complete")
    for_worker = await must(gql, p.customer_token, for_worker, "dispute", reason="Late")
    for_customer = await must(
        gql, p.customer_token, for_customer, "dispute", reason="Not done"
    )
    admin = await admin_token(gql, clock)
    for_worker = await must(gql, admin, for_worker, "resolve_for_worker", reason="ok")
    assert for_worker["status"] == "CLOSED"
    assert for_worker["payment"]["capturedAmount"] == 4725  # 4500 + 225 fee
    for_customer = await must(
        gql, admin, for_customer, "resolve_for_customer", reason="Refund"
    )
    assert for_customer["status"] == "REFUNDED"
    assert for_customer["payment"]["status"] == "RELEASED"
    assert for_customer["payment"]["capturedAmount"] == 0
    doc = await Booking.get(raw_id(for_customer["id"]))
    assert s.intent(doc.payment.intent_id)["status"] == "canceled"


async def test_expired_request_releases_the_hold(gql, clock, stripe_harness, settings):
    s = stripe_harness
    p = await parties(gql, clock)
    booking = (await request(gql, p, "pm_card_visa", clock.now + timedelta(days=3)))[
        "booking"
    ]
    clock.advance(timedelta(hours=48))
    report = await run_sweep(settings, clock)
    assert report.moved["expire"] == 1
    booking = await read(gql, p.customer_token, booking["id"])
    assert booking["status"] == "EXPIRED"
    assert booking["payment"]["status"] == "RELEASED"
    doc = await Booking.get(raw_id(booking["id"]))
    assert s.intent(doc.payment.intent_id)["status"] == "canceled"


async def test_declined_card_creates_no_booking(gql, clock, stripe_harness):
    p = await parties(gql, clock)
    payload = await request(
        gql, p, "pm_card_chargeCustomerFail", clock.now + timedelta(days=3)
    )
    assert payload["booking"] is None
    assert payload["errors"] == [
        {
            "field": "paymentMethodId",
            "code": "PAYMENT_DECLINED",
            "message": "Your card was declined.",
        }
    ]
    assert await Booking.find_all().count() == 0
    data = await gql("{ bookings { edges { node { id } } } }", token=p.worker_token)
    assert data["bookings"]["edges"] == []


async def test_a_card_is_required_and_the_worker_needs_a_rate(
    gql, clock, stripe_harness
):
    p = await parties(gql, clock)
    payload = await request(gql, p, None, clock.now + timedelta(days=3))
    assert [e["code"] for e in payload["errors"]] == ["PAYMENT_METHOD_REQUIRED"]
    no_rate = await parties(gql, clock, rate=None)
    payload = await request(gql, no_rate, "pm_card_visa", clock.now + timedelta(days=3))
    assert [e["code"] for e in payload["errors"]] == ["RATE_NOT_SET"]
    assert stripe_harness.recorder.calls("POST", "/v1/payment_intents") == []


async def test_au_booking_is_priced_in_aud_with_australian_gst(
    gql, clock, stripe_harness
):
    p = await parties(gql, clock, country="AU", rate=5200)
    payload = await request(
        gql,
        p,
        "pm_card_visa",
        clock.now + timedelta(days=2),
        duration=timedelta(hours=2, minutes=20),
        service="pet_care",
    )
    price = payload["booking"]["price"]
    assert (price["currency"], price["total"], price["gstIncluded"]) == (
        "AUD",
        13650,
        1241,
    )
    assert price["lineItems"][0]["label"] == "Pet care, 2 h 30 min"
    (create,) = stripe_harness.recorder.calls("POST", "/v1/payment_intents")
    assert (create.params["amount"], create.params["currency"]) == ("13650", "aud")
    worker_view = await read(gql, p.worker_token, payload["booking"]["id"])
    assert worker_view["price"]["workerPayout"] == 11050


async def test_price_quote_and_onboarding_is_for_workers(gql, clock, stripe_harness):
    p = await parties(gql, clock)
    start = clock.now + timedelta(days=1)
    data = await gql(
        """query($w: ID!, $s: DateTime!, $e: DateTime!) {
             priceQuote(workerId: $w, service: "cleaning", scheduledStart: $s,
                        scheduledEnd: $e) {
               currency total gstIncluded lateCancellationFee
               lineItems { code amount } } }""",
        {
            "w": p.worker_id,
            "s": start.isoformat(),
            "e": (start + timedelta(minutes=100)).isoformat(),
        },
    )
    # 100 min bills as 105: 4500 x 105/60 = 7875 labour, 394 fee (393.75).
    assert data["priceQuote"] == {
        "currency": "NZD",
        "total": 8269,
        "gstIncluded": 1079,  # 1078.57
        "lateCancellationFee": 3938,  # 3937.5
        "lineItems": [
            {"code": "labour", "amount": 7875},
            {"code": "booking_fee", "amount": 394},
        ],
    }
    data = await gql(
        "mutation { startPayoutOnboarding { url errors { code } } }",
        token=p.customer_token,
    )
    assert data["startPayoutOnboarding"] == {
        "url": None,
        "errors": [{"code": "NOT_ALLOWED"}],
    }
    assert stripe_harness.connect.calls("/v1/accounts") == []
    # Asking twice reuses the worker's account.
    for _ in range(2):
        await gql(
            "mutation { startPayoutOnboarding { url errors { code } } }",
            token=p.worker_token,
        )
    assert len(stripe_harness.connect.calls("/v1/accounts")) == 1
    assert len(stripe_harness.connect.calls("/v1/account_links")) == 2


async def test_a_retried_request_returns_the_same_booking_and_hold(
    gql, clock, stripe_harness
):
    p = await parties(gql, clock)
    start = clock.now + timedelta(days=3)
    first = (await request(gql, p, "pm_card_visa", start))["booking"]
    again = await request(gql, p, "pm_card_visa", start)
    assert again["errors"] == []
    assert again["booking"]["id"] == first["id"]
    assert len(stripe_harness.recorder.calls("POST", "/v1/payment_intents")) == 1
    assert await Booking.find_all().count() == 1
    # Once that booking is closed for business, the same request is a new one.
    await must(gql, p.customer_token, first, "cancel")
    fresh = (await request(gql, p, "pm_card_visa", start))["booking"]
    assert fresh["id"] != first["id"]


async def test_a_double_submitted_request_places_one_hold(gql, clock, stripe_harness):
    """Ten identical requests at once (a double-click, an eager retry): one
    booking and one PaymentIntent; the rest get that booking or are told an
    identical request is in flight."""
    p = await parties(gql, clock)
    start = clock.now + timedelta(days=3)
    results = await asyncio.gather(
        *(request(gql, p, "pm_card_visa", start) for _ in range(10))
    )
    assert await Booking.find_all().count() == 1
    assert len(stripe_harness.recorder.calls("POST", "/v1/payment_intents")) == 1
    (booking,) = await Booking.find_all().to_list()
    for result in results:
        if result["errors"]:
            assert [e["code"] for e in result["errors"]] == ["DUPLICATE_REQUEST"]
        else:
            assert result["booking"]["id"] == global_id("Booking", booking.id)
    # the lease is gone: a later identical request gets the same booking back
    again = await request(gql, p, "pm_card_visa", start)
    assert again["booking"]["id"] == global_id("Booking", booking.id)


async def test_reconcile_notices_onboarding_when_the_webhook_was_lost(
    gql, clock, stripe_harness, settings
):
    s = stripe_harness
    p = await parties(gql, clock)
    booking = (await request(gql, p, "pm_card_visa", clock.now + timedelta(days=3)))[
        "booking"
    ]
    booking = await deliver_to_completion(gql, p, booking, clock)
    await must(gql, p.customer_token, booking, "confirm")
    await gql(
        "mutation { startPayoutOnboarding { url errors { code } } }",
        token=p.worker_token,
    )
    account_id = s.connect.calls("/v1/account_links")[0].params["account"]
    report = await run_sweep(settings, clock)
    assert (report.payments["reconciled"], report.payments["payouts_sent"]) == (0, 0)
    s.connect.finish_onboarding(account_id)  # no account.updated is delivered
    report = await run_sweep(settings, clock)
    assert (report.payments["reconciled"], report.payments["payouts_sent"]) == (1, 1)
    (transfer,) = s.connect.calls("/v1/transfers")
    assert transfer.params["amount"] == str(PAYOUT)


async def test_auto_confirm_captures_and_a_failed_sweep_retries(
    gql, clock, stripe_harness, settings
):
    s = stripe_harness
    p = await parties(gql, clock)
    booking = (await request(gql, p, "pm_card_visa", clock.now + timedelta(days=3)))[
        "booking"
    ]
    booking = await deliver_to_completion(gql, p, booking, clock)
    clock.advance(timedelta(hours=72))
    s.recorder.fail_next("POST", "/capture")
    report = await run_sweep(settings, clock)
    assert (report.moved["auto_confirm"], report.payment_failures) == (0, 1)
    assert (await read(gql, p.customer_token, booking["id"]))["status"] == "COMPLETED"
    report = await run_sweep(settings, clock)
    assert (report.moved["auto_confirm"], report.payment_failures) == (1, 0)
    booking = await read(gql, p.customer_token, booking["id"])
    assert booking["status"] == "CLOSED"
    assert booking["payment"]["capturedAmount"] == TOTAL
    captures = s.recorder.calls("POST", "/capture")
    assert [c.status for c in captures] == [500, 200]
    assert (
        captures[0].headers["Idempotency-Key"] == captures[1].headers["Idempotency-Key"]
    )
    assert captures[1].headers["Idempotency-Key"].endswith(":auto_confirm:v4")
    doc = await Booking.get(raw_id(booking["id"]))
    assert (doc.payout.status, doc.payout.amount) == ("pending", PAYOUT)


async def test_pending_payouts_of_many_workers_load_in_one_query(
    gql, clock, stripe_harness, command_counter
):
    from tests.schema.payments_helpers import admin_token

    for _ in range(3):
        p = await parties(gql, clock)
        booking = (
            await request(gql, p, "pm_card_visa", clock.now + timedelta(days=3))
        )["booking"]
        booking = await deliver_to_completion(gql, p, booking, clock)
        await must(gql, p.customer_token, booking, "confirm")
        clock.now = clock.now - timedelta(days=3)  # back, for the next request
    admin = await admin_token(gql, clock)
    command_counter.reset()
    data = await gql(
        "{ workers { edges { node { pendingPayouts { amount } } } } }", token=admin
    )
    amounts = [
        [x["amount"] for x in e["node"]["pendingPayouts"]]
        for e in data["workers"]["edges"]
    ]
    assert sorted(amounts) == [[PAYOUT]] * 3
    # The caller's account (every token is checked against it), the workers
    # page, their pending payouts.
    assert command_counter.commands.count("find") == 3
