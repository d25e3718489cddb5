"""Email notifications from the booking flow, driven through the GraphQL API
and read back from the SMTP stand-in, and the notification preferences."""

from __future__ import annotations

from datetime import timedelta

from beanie import PydanticObjectId

from gigsta.documents import Delivery, User
from gigsta.documents.booking_store import mark_payout_sent
from gigsta.resolvers.outbox import dispatch
from tests.fixtures_smtp import text
from tests.ids import raw_id
from tests.schema.messages_helpers import send
from tests.schema.payments_helpers import (
    deliver_to_completion,
    must,
    parties,
    request,
)

# Friday 6 November 2026, 9:00 am NZDT is 20:00 UTC the day before; the fake
# clock starts on 2 November 2026 at 09:00 UTC.
START_AFTER = timedelta(days=3, hours=11)
WHEN = "When: Friday 6 November 2026, 9:00 am to 11:00 am NZDT (Pacific/Auckland)"

PREFERENCES = """{ viewer { notificationPreferences { bookingUpdates alwaysSent } } }"""
UPDATE = """mutation($input: UpdateNotificationPreferencesInput!) {
  updateNotificationPreferences(input: $input) {
    preferences { bookingUpdates } errors { field code message } } }"""


async def _emails(p):
    customer = await User.get(p.customer.user_id)
    worker = await User.get(p.worker.user_id)
    return customer.email, worker.email


def _summary(messages):
    return sorted((m["To"].addresses[0].addr_spec, m["Subject"]) for m in messages)


async def test_the_booking_flow_emails_each_party_once_with_local_times_and_amounts(
    gql, clock, stripe_harness, settings, mailbox
):
    p = await parties(gql, clock)
    customer, worker = await _emails(p)
    payload = await request(gql, p, "pm_card_visa", clock.now + START_AFTER)
    booking = await deliver_to_completion(gql, p, payload["booking"], clock)
    await must(gql, p.customer_token, booking, "confirm")
    # The worker's share goes out (what the payouts job records once Stripe
    # Connect has made the transfer).
    assert await mark_payout_sent(
        PydanticObjectId(raw_id(booking["id"])), "tr_test", clock.now
    )
    outbox = mailbox.outbox(settings)

    report = await dispatch(clock, outbox)
    assert report["sent"] == 5 and report["retried"] == report["dead"] == 0, report
    # A second pass finds nothing left to do.
    assert (await dispatch(clock, outbox))["sent"] == 0

    ref = _ref(payload["booking"])
    assert _summary(mailbox.messages()) == sorted(
        [
            (worker, f"New booking request from Kim ({ref})"),
            (customer, f"Mere accepted your booking ({ref})"),
            (customer, f"Mere has finished the job ({ref})"),
            (customer, f"Receipt: $94.50 NZD for cleaning ({ref})"),
            (worker, f"You've been paid $76.50 NZD ({ref})"),
        ]
    )
    messages = {m["Subject"].split(" (")[0]: m for m in mailbox.messages()}
    request_mail = text(messages["New booking request from Kim"])
    assert request_mail.startswith("Kia ora Mere,\n")
    assert WHEN in request_mail
    assert "Your share: $76.50 NZD." in request_mail
    assert "$94.50" not in request_mail  # the worker is not shown the price
    receipt = text(messages["Receipt: $94.50 NZD for cleaning"])
    assert WHEN in receipt
    assert "$94.50 NZD was charged to your card (GST inclusive)" in receipt
    assert "Price: $94.50 NZD (including $12.33 NZD GST)" in receipt
    assert "You get this email whatever your settings" in receipt
    # One Message-ID per message, the one its delivery was given.
    ids = [m["Message-ID"] for m in mailbox.messages()]
    assert len(set(ids)) == 5
    stored = {d.payload["message_id"] async for d in Delivery.find()}
    assert stored == set(ids)


async def test_a_message_is_emailed_to_the_other_party_as_stored(
    gql, clock, stripe_harness, settings, mailbox
):
    p = await parties(gql, clock)
    customer, worker = await _emails(p)
    payload = await request(gql, p, "pm_card_visa", clock.now + START_AFTER)
    booking = payload["booking"]
    sent = await send(
        gql, p.customer_token, booking["id"], "Gate code 1234?\nCall 021 555 0123"
    )
    assert sent["errors"] == []
    outbox = mailbox.outbox(settings)

    await dispatch(clock, outbox)

    ref = _ref(booking)
    to_worker = [
        m for m in mailbox.to(worker) if m["Subject"].startswith("New message")
    ]
    assert [m["Subject"] for m in to_worker] == [f"New message from Kim ({ref})"]
    assert mailbox.to(customer) == []  # the sender is not told of their own
    body = text(to_worker[0])
    # Before acceptance the number is masked in the email as in the API.
    assert "> Gate code 1234?\n> Call [phone hidden]\n" in body
    assert "021 555 0123" not in body
    assert "You can turn off booking update emails" in body


def _ref(booking):
    """The reference emails quote: the end of the booking's document id."""
    return f"GS-{raw_id(booking['id'])[-8:].upper()}"


async def test_opting_out_stops_booking_updates_but_not_cancellations(
    gql, clock, stripe_harness, settings, mailbox
):
    p = await parties(gql, clock)
    customer, worker = await _emails(p)
    for token in (p.customer_token, p.worker_token):
        data = await gql(UPDATE, {"input": {"bookingUpdates": False}}, token=token)
        assert data["updateNotificationPreferences"] == {
            "preferences": {"bookingUpdates": False},
            "errors": [],
        }
    payload = await request(gql, p, "pm_card_visa", clock.now + START_AFTER)
    booking = await must(gql, p.worker_token, payload["booking"], "accept")
    await must(gql, p.customer_token, booking, "cancel")

    await dispatch(clock, mailbox.outbox(settings))

    # No request or acceptance email; the cancellation reaches both.
    ref = _ref(booking)
    assert _summary(mailbox.messages()) == sorted(
        [
            (customer, f"Your booking has been cancelled ({ref})"),
            (worker, f"Booking with Kim cancelled ({ref})"),
        ]
    )
    body = text(mailbox.to(customer)[0])
    assert "The card hold is released in full; nothing is charged." in body


async def test_preferences_are_read_on_the_viewer_and_need_a_sign_in(gql, clock):
    token, _ = await gql.sign_up("prefs@example.com")
    data = await gql(PREFERENCES, token=token)
    prefs = data["viewer"]["notificationPreferences"]
    assert prefs["bookingUpdates"] is True
    assert "a booking is cancelled" in prefs["alwaysSent"]
    assert "your card is charged (receipt)" in prefs["alwaysSent"]

    await gql(UPDATE, {"input": {"bookingUpdates": False}}, token=token)
    data = await gql(PREFERENCES, token=token)
    assert data["viewer"]["notificationPreferences"]["bookingUpdates"] is False
    # Left out: unchanged.
    data = await gql(UPDATE, {"input": {}}, token=token)
    assert data["updateNotificationPreferences"]["preferences"] == {
        "bookingUpdates": False
    }

    data = await gql(UPDATE, {"input": {"bookingUpdates": True}})
    assert data["updateNotificationPreferences"] == {
        "preferences": None,
        "errors": [
            {"field": None, "code": "UNAUTHENTICATED", "message": "Sign in first."}
        ],
    }
