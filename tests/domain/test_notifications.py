"""Who is emailed about what, and what the emails say: pure, no I/O."""

from __future__ import annotations

import dataclasses
from datetime import UTC, datetime, timedelta

import pytest

from gigsta.domain.accounts import Country, Currency
from gigsta.domain.bookings.actions import ACTION_TABLE, ActorRole
from gigsta.domain.notifications.retries import MAX_ATTEMPTS, gives_up, retry_delay
from gigsta.domain.notifications.rules import (
    ESSENTIAL_NOTICES,
    ON_ACTION,
    SILENT_ACTIONS,
    Addressed,
    Notice,
    notices_for,
    wanted,
)
from gigsta.domain.notifications.templates import WRITERS, EmailFacts, render, when

C, W = ActorRole.CUSTOMER, ActorRole.WORKER


def facts(**changes) -> EmailFacts:
    base = EmailFacts(
        recipient_name="Aroha",
        recipient_country=Country.NZ,
        customer_name="Aroha",
        worker_name="Mere",
        service="Cleaning",
        description="Kitchen and bathroom",
        scheduled_start=datetime(2027, 1, 14, 20, 0, tzinfo=UTC),
        scheduled_end=datetime(2027, 1, 14, 23, 0, tzinfo=UTC),
        time_zone="Pacific/Auckland",
        booking_ref="GS-ABCDEF12",
        currency=Currency.NZD,
        total=14175,
        gst_included=1849,
        worker_payout=11475,
        captured=0,
        refunded=0,
    )
    return dataclasses.replace(base, **changes)


def test_every_booking_action_either_tells_someone_or_is_silent_on_purpose():
    names = {rule.name for rule in ACTION_TABLE}
    assert set(ON_ACTION) | SILENT_ACTIONS == names
    assert not set(ON_ACTION) & SILENT_ACTIONS


@pytest.mark.parametrize(
    "addressed", sorted({a for group in ON_ACTION.values() for a in group}, key=str)
)
def test_every_notice_the_rules_send_has_a_template(addressed):
    email = render(addressed, facts())
    assert email.subject.endswith("(GS-ABCDEF12)")
    assert "Kia ora Aroha," in email.body


def test_every_template_is_used_by_some_event():
    used = {(a.notice, a.role) for group in ON_ACTION.values() for a in group}
    used |= {(Notice.PAYOUT_SENT, W), (Notice.NEW_MESSAGE, C), (Notice.NEW_MESSAGE, W)}
    assert used == set(WRITERS)


def test_who_is_told_of_each_event():
    assert notices_for("booking.requested", {"status": "requested"}) == (
        Addressed(Notice.NEW_REQUEST, W),
    )
    # Waiting for 3-D Secure: the worker hears once the card is authorised.
    assert notices_for("booking.requested", {"status": "pending_payment"}) == ()
    assert notices_for("booking.status_changed", {"action": "cancel"}) == (
        Addressed(Notice.CANCELLED, C),
        Addressed(Notice.CANCELLED, W),
    )
    assert notices_for("booking.payout_sent", {"amount": 100}) == (
        Addressed(Notice.PAYOUT_SENT, W),
    )
    assert notices_for("booking.payment_changed", {}) == ()
    # A message tells the other side; an admin's tells both. A review tells
    # nobody while it is hidden.
    assert notices_for("booking.message_created", {}, C) == (
        Addressed(Notice.NEW_MESSAGE, W),
    )
    assert notices_for("booking.message_created", {}, W) == (
        Addressed(Notice.NEW_MESSAGE, C),
    )
    assert notices_for("booking.message_created", {}, ActorRole.ADMIN) == (
        Addressed(Notice.NEW_MESSAGE, C),
        Addressed(Notice.NEW_MESSAGE, W),
    )
    assert notices_for("booking.review_submitted", {}, C) == ()


def test_only_booking_updates_can_be_turned_off():
    assert {
        Notice.CANCELLED,
        Notice.RECEIPT,
        Notice.REFUNDED,
        Notice.PAYMENT_FAILED,
        Notice.PAYOUT_SENT,
    } == ESSENTIAL_NOTICES
    for notice in Notice:
        addressed = Addressed(notice, C)
        assert wanted(addressed, booking_updates=True)
        assert wanted(addressed, booking_updates=False) is (notice in ESSENTIAL_NOTICES)


def test_times_are_local_with_the_zone_on_either_side_of_daylight_saving():
    # NZ summer (NZDT, +13) and winter (NZST, +12); Sydney summer (AEDT).
    summer = datetime(2027, 1, 14, 20, 0, tzinfo=UTC)
    assert when(summer, summer + timedelta(hours=3), "Pacific/Auckland") == (
        "Friday 15 January 2027, 9:00 am to 12:00 pm NZDT (Pacific/Auckland)"
    )
    winter = datetime(2027, 7, 1, 2, 30, tzinfo=UTC)
    assert when(winter, winter + timedelta(hours=1), "Pacific/Auckland") == (
        "Thursday 1 July 2027, 2:30 pm to 3:30 pm NZST (Pacific/Auckland)"
    )
    late = datetime(2027, 1, 14, 12, 0, tzinfo=UTC)
    assert when(late, late + timedelta(hours=2), "Australia/Sydney") == (
        "Thursday 14 January 2027, 11:00 pm to Friday 15 January 2027, "
        "1:00 am AEDT (Australia/Sydney)"
    )


def test_amounts_are_gst_inclusive_in_the_booking_currency():
    cancelled = render(Addressed(Notice.CANCELLED, C), facts(captured=7088)).body
    assert "A cancellation fee of $70.88 NZD was charged" in cancelled
    assert "Price: $141.75 NZD (including $18.49 NZD GST)" in cancelled
    worker = render(Addressed(Notice.NEW_REQUEST, W), facts(recipient_name="Mere"))
    assert "Your share: $114.75 NZD." in worker.body
    assert "$141.75" not in worker.body
    aud = facts(recipient_country=Country.AU, currency=Currency.AUD, total=11000)
    receipt = render(Addressed(Notice.RECEIPT, C), aud)
    assert receipt.body.startswith("Hi Aroha,\n")
    assert "$110.00 AUD" in receipt.body
    assert "Cheers,\nThe GigSta team" in receipt.body


def test_essential_emails_say_they_cannot_be_turned_off():
    essential = render(Addressed(Notice.RECEIPT, C), facts()).body
    update = render(Addressed(Notice.ACCEPTED, C), facts()).body
    assert "whatever your settings" in essential
    assert "turn off booking update emails" in update


def test_backoff_doubles_from_30_seconds_and_gives_up_after_the_bound():
    delays = [retry_delay(n) for n in range(1, MAX_ATTEMPTS)]
    assert delays == [timedelta(seconds=30 * 2**k) for k in range(MAX_ATTEMPTS - 1)]
    assert retry_delay(40) == timedelta(hours=1)
    assert not gives_up(MAX_ATTEMPTS - 1)
    assert gives_up(MAX_ATTEMPTS)
