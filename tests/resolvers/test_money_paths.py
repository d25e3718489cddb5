"""Money paths that only show up when Stripe and our records disagree for a while.

- A refund of money our record already shows as captured (the executor's
  REFUND branch), in full and after a partial refund made by support.
- A hold Stripe cancelled without telling us, then confirmed and released.
- A deferred hold that falls due while Stripe cannot be reached.
- A worker's transfer that Connect refuses or cannot take, sent later once.

Driven as a client and the sweeper drive them: GraphQL over HTTP against the
app, signed webhooks, and sweeper passes, with the real `stripe` library
talking to localstripe (through the recording proxy) and the Connect stand-in.
Stored documents are read through the raw database only to check what the API
does not show (the payment lock, the payout's transfer id).
"""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from bson import ObjectId

from scripts.processes import free_port
from tests.fixtures_stripe import make_event
from tests.ids import raw_id
from tests.schema.payments_helpers import (
    act,
    admin_token,
    deliver_to_completion,
    must,
    parties,
    read,
    request,
    run_sweep,
)

# 2 h at $45.00/h in NZ: the customer pays 9450, the worker is owed 7650.
TOTAL, PAYOUT = 9450, 7650

PAYOUTS = """query($id: ID!) { worker(id: $id) {
  pendingPayouts { bookingId amount currency } } }"""


async def stored(raw_db: Any, booking_id: str) -> dict[str, Any]:
    """The stored booking of the `Booking.id` `booking_id`."""
    doc: dict[str, Any] = await raw_db["bookings"].find_one(
        {"_id": ObjectId(raw_id(booking_id))}
    )
    return doc


def unreachable(settings: Any, *names: str) -> Any:
    """The app's settings with the named Stripe bases on a port nobody listens on."""
    closed = f"http://127.0.0.1:{free_port()}"
    return settings.model_copy(update=dict.fromkeys(names, closed))


def refunds_at_stripe(s: Any, intent_id: str) -> list[int]:
    """The amounts of the refunds localstripe holds for the PaymentIntent."""
    listed = s.client.v1.refunds.list({"payment_intent": intent_id, "limit": 100})
    return sorted(int(r["amount"]) for r in listed.to_dict()["data"])


async def captured_while_completed(
    gql: Any, clock: Any, s: Any, raw_db: Any
) -> tuple[Any, dict[str, Any], str]:
    """A completed booking whose capture reached Stripe but whose answer was lost;
    the `payment_intent.succeeded` webhook then records the capture while the
    booking is still COMPLETED (so the customer can still dispute it)."""
    p = await parties(gql, clock)
    booking = (await request(gql, p, "pm_card_visa", clock.now + timedelta(days=3)))[
        "booking"
    ]
    booking = await deliver_to_completion(gql, p, booking, clock)
    s.recorder.fail_next("POST", "/capture", after_forwarding=True)
    payload = await act(gql, p.customer_token, booking, "confirm")
    assert [e["code"] for e in payload["errors"]] == ["PAYMENT_FAILED"]
    intent_id = (await stored(raw_db, booking["id"]))["payment"]["intent_id"]
    event = make_event("payment_intent.succeeded", s.intent(intent_id))
    assert (await s.deliver(event)).status_code == 200
    booking = await read(gql, p.customer_token, booking["id"])
    assert booking["status"] == "COMPLETED"
    assert (booking["payment"]["status"], booking["payment"]["capturedAmount"]) == (
        "CAPTURED",
        TOTAL,
    )
    return p, booking, intent_id


async def test_resolving_for_the_customer_refunds_a_recorded_capture_once(
    gql, clock, stripe_harness, raw_db
):
    """Our record says CAPTURED when the admin resolves the dispute for the
    customer: releasing the money now means one refund of the whole capture."""
    s = stripe_harness
    p, booking, intent_id = await captured_while_completed(gql, clock, s, raw_db)
    booking = await must(gql, p.customer_token, booking, "dispute", reason="Not done")
    assert booking["payment"]["status"] == "CAPTURED"
    admin = await admin_token(gql, clock)
    seen_by_admin = await read(gql, admin, booking["id"])
    notes = {
        a["actionName"]: a["paymentNote"] for a in seen_by_admin["availableActions"]
    }
    assert notes["resolve_for_customer"] == "$94.50 NZD is refunded."
    assert notes["resolve_for_worker"] is None  # already captured: nothing moves

    version = booking["version"]
    booking = await must(gql, admin, booking, "resolve_for_customer", reason="Refund")
    assert booking["status"] == "REFUNDED"
    payment = booking["payment"]
    assert (payment["status"], payment["capturedAmount"]) == ("REFUNDED", TOTAL)
    assert payment["refundedAmount"] == TOTAL

    # Stripe's own view: one refund, of everything captured, under our key.
    assert refunds_at_stripe(s, intent_id) == [TOTAL]
    intent = s.intent(intent_id)
    assert intent["status"] == "succeeded"
    assert intent["latest_charge"]["amount_refunded"] == TOTAL
    (refund,) = s.recorder.calls("POST", "/v1/refunds")
    key = f"gigsta:{raw_id(booking['id'])}:resolve_for_customer:v{version}"
    assert refund.headers["Idempotency-Key"] == key
    assert refund.params["metadata[idempotency_key]"] == key
    assert s.recorder.calls("POST", "/cancel") == []
    doc = await stored(raw_db, booking["id"])
    assert doc["payout"] is None  # the worker is owed nothing
    assert doc["payment_lock"] is None


async def test_refund_after_a_partial_support_refund_gives_back_only_the_rest(
    gql, clock, stripe_harness, raw_db
):
    """Support already refunded part in the Stripe dashboard; the admin's
    refund tops it up to the capture, and a retry after its answer was lost
    does not refund again."""
    s = stripe_harness
    p, booking, intent_id = await captured_while_completed(gql, clock, s, raw_db)
    s.client.v1.refunds.create({"payment_intent": intent_id, "amount": 2000})
    charge = s.intent(intent_id)["latest_charge"]
    assert (await s.deliver(make_event("charge.refunded", charge))).status_code == 200
    booking = await read(gql, p.customer_token, booking["id"])
    assert (booking["payment"]["status"], booking["payment"]["refundedAmount"]) == (
        "CAPTURED",
        2000,
    )
    booking = await must(gql, p.customer_token, booking, "dispute", reason="Messy")
    admin = await admin_token(gql, clock)

    s.recorder.fail_next("POST", "/v1/refunds", after_forwarding=True)
    payload = await act(gql, admin, booking, "resolve_for_customer", reason="Refund")
    assert [e["code"] for e in payload["errors"]] == ["PAYMENT_FAILED"]
    assert payload["booking"]["status"] == "DISPUTED"
    assert (await stored(raw_db, booking["id"]))["payment_lock"] is None
    assert refunds_at_stripe(s, intent_id) == [2000, TOTAL - 2000]  # it did happen

    booking = await must(gql, admin, booking, "resolve_for_customer", reason="Refund")
    assert booking["status"] == "REFUNDED"
    assert (booking["payment"]["status"], booking["payment"]["refundedAmount"]) == (
        "REFUNDED",
        TOTAL,
    )
    assert refunds_at_stripe(s, intent_id) == [2000, TOTAL - 2000]
    assert s.intent(intent_id)["latest_charge"]["amount_refunded"] == TOTAL
    (refund,) = s.recorder.calls("POST", "/v1/refunds")
    assert refund.params["amount"] == str(TOTAL - 2000)


async def test_a_hold_stripe_already_cancelled_is_neither_captured_nor_cancelled_again(
    gql, clock, stripe_harness, raw_db
):
    """Support cancelled the PaymentIntent in the Stripe dashboard and the
    `payment_intent.canceled` webhook was lost: our record still says
    AUTHORIZED. Confirming cannot take the money; resolving the dispute for
    the customer records the hold as released without asking Stripe again."""
    s = stripe_harness
    p = await parties(gql, clock)
    booking = (await request(gql, p, "pm_card_visa", clock.now + timedelta(days=3)))[
        "booking"
    ]
    booking = await deliver_to_completion(gql, p, booking, clock)
    intent_id = (await stored(raw_db, booking["id"]))["payment"]["intent_id"]
    s.client.v1.payment_intents.cancel(intent_id)

    payload = await act(gql, p.customer_token, booking, "confirm")
    assert payload["errors"] == [
        {
            "field": None,
            "code": "PAYMENT_FAILED",
            "message": "The card hold cannot be captured (it is canceled).",
        }
    ]
    assert payload["booking"]["status"] == "COMPLETED"
    assert payload["booking"]["payment"]["status"] == "AUTHORIZED"
    assert (await stored(raw_db, booking["id"]))["payment_lock"] is None

    booking = await must(gql, p.customer_token, booking, "dispute", reason="No pay")
    admin = await admin_token(gql, clock)
    booking = await must(gql, admin, booking, "resolve_for_customer", reason="Void")
    assert booking["status"] == "REFUNDED"
    payment = booking["payment"]
    assert (payment["status"], payment["capturedAmount"]) == ("RELEASED", 0)
    assert payment["refundedAmount"] == 0
    assert s.intent(intent_id)["status"] == "canceled"
    assert s.recorder.calls("POST", "/capture") == []
    assert s.recorder.calls("POST", "/cancel") == []
    assert s.recorder.calls("POST", "/v1/refunds") == []
    assert refunds_at_stripe(s, intent_id) == []
    assert (await stored(raw_db, booking["id"]))["payout"] is None


async def test_a_deferred_hold_due_while_stripe_is_unreachable_is_placed_later_once(
    gql, clock, stripe_harness, settings, raw_db
):
    s = stripe_harness
    p = await parties(gql, clock)
    start = clock.now + timedelta(days=10)
    booking = (await request(gql, p, "pm_card_visa", start))["booking"]
    assert booking["payment"]["status"] == "DEFERRED"
    booking = await must(gql, p.worker_token, booking, "accept")
    before = await read(gql, p.customer_token, booking["id"])

    clock.now = start - timedelta(hours=48)
    report = await run_sweep(unreachable(settings, "stripe_api_base"), clock)
    assert report.moved["authorize"] == 0
    assert report.payment_failures == 1
    after = await read(gql, p.customer_token, booking["id"])
    assert after == before  # same status, version, payment and authorizeAt
    assert after["payment"]["status"] == "DEFERRED"
    doc = await stored(raw_db, booking["id"])
    assert doc["payment_lock"] is None
    assert doc["payment"]["intent_id"] is None
    assert s.recorder.calls("POST", "/v1/payment_intents") == []

    # Stripe is back for the sweeper's next pass (well before a lock would
    # count as stale, so a lock left behind would block this pass).
    clock.advance(timedelta(minutes=1))
    report = await run_sweep(settings, clock)
    assert report.moved["authorize"] == 1
    clock.advance(timedelta(minutes=1))
    report = await run_sweep(settings, clock)
    assert report.moved["authorize"] == 0

    (create,) = s.recorder.calls("POST", "/v1/payment_intents")
    assert create.params["off_session"] == "true"
    assert create.params["amount"] == str(TOTAL)
    assert create.headers["Idempotency-Key"] == (
        f"gigsta:{raw_id(booking['id'])}:authorize:v{booking['version']}"
    )
    booking = await read(gql, p.customer_token, booking["id"])
    assert booking["status"] == "ACCEPTED"
    assert (booking["payment"]["status"], booking["payment"]["authorizedAmount"]) == (
        "AUTHORIZED",
        TOTAL,
    )
    intent_id = (await stored(raw_db, booking["id"]))["payment"]["intent_id"]
    intent = s.intent(intent_id)
    assert (intent["status"], intent["amount"]) == ("requires_capture", TOTAL)
    assert intent["metadata"] == {"booking_id": raw_id(booking["id"])}


async def onboard(gql: Any, s: Any, p: Any) -> str:
    """The worker finishes Connect onboarding and Stripe tells us so."""
    data = await gql(
        "mutation { startPayoutOnboarding { url errors { code } } }",
        token=p.worker_token,
    )
    assert data["startPayoutOnboarding"]["errors"] == []
    account_id: str = s.connect.calls("/v1/account_links")[-1].params["account"]
    account = s.connect.finish_onboarding(account_id)
    assert (await s.deliver(make_event("account.updated", account))).status_code == 200
    return account_id


def restrict(s: Any, account_id: str) -> None:
    """Stripe restricts the account (say, verification lapsed): it refuses
    transfers to it until the worker fixes it. The `account.updated` telling
    us so has not arrived, so our record still says payouts are enabled."""
    s.connect.accounts[account_id].update(
        payouts_enabled=False, capabilities={"transfers": "inactive"}
    )


async def test_a_refused_payout_stays_pending_and_a_later_pass_sends_it_once(
    gql, clock, stripe_harness, settings, raw_db
):
    s = stripe_harness
    p = await parties(gql, clock)
    account_id = await onboard(gql, s, p)
    booking = (await request(gql, p, "pm_card_visa", clock.now + timedelta(days=3)))[
        "booking"
    ]
    booking = await deliver_to_completion(gql, p, booking, clock)
    restrict(s, account_id)

    # The customer's confirm still succeeds: the capture is not undone because
    # the worker's transfer was refused.
    booking = await must(gql, p.customer_token, booking, "confirm")
    assert booking["status"] == "CLOSED"
    assert (booking["payment"]["status"], booking["payment"]["capturedAmount"]) == (
        "CAPTURED",
        TOTAL,
    )
    assert len(s.connect.calls("/v1/transfers")) == 1
    assert s.connect.transfers == {}

    async def still_pending() -> None:
        payout = (await stored(raw_db, booking["id"]))["payout"]
        assert (payout["status"], payout["amount"]) == ("pending", PAYOUT)
        assert (payout["transfer_id"], payout["sent_at"]) == (None, None)
        data = await gql(PAYOUTS, {"id": p.worker_id}, token=p.worker_token)
        assert data["worker"]["pendingPayouts"] == [
            {"bookingId": booking["id"], "amount": PAYOUT, "currency": "NZD"}
        ]

    await still_pending()
    report = await run_sweep(settings, clock)  # still refused
    assert report.payments["payouts_sent"] == 0
    assert len(s.connect.calls("/v1/transfers")) == 2
    await still_pending()
    outage = unreachable(settings, "stripe_connect_api_base")
    report = await run_sweep(outage, clock)  # Connect cannot be reached at all
    assert report.payments["payouts_sent"] == 0
    assert len(s.connect.calls("/v1/transfers")) == 2
    await still_pending()

    s.connect.finish_onboarding(account_id)  # the worker sorted it out
    report = await run_sweep(settings, clock)
    assert report.payments["payouts_sent"] == 1
    report = await run_sweep(settings, clock)
    assert report.payments["payouts_sent"] == 0

    (transfer,) = s.connect.transfers.values()
    assert (transfer["amount"], transfer["currency"]) == (PAYOUT, "nzd")
    assert transfer["destination"] == account_id
    attempts = s.connect.calls("/v1/transfers")
    assert len(attempts) == 3
    assert {a.idempotency_key for a in attempts} == {
        f"gigsta:{raw_id(booking['id'])}:payout"
    }
    payout = (await stored(raw_db, booking["id"]))["payout"]
    assert (payout["status"], payout["transfer_id"]) == ("sent", transfer["id"])
    assert payout["sent_at"] is not None
    data = await gql(PAYOUTS, {"id": p.worker_id}, token=p.worker_token)
    assert data["worker"]["pendingPayouts"] == []
