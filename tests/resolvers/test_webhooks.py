"""Partner webhooks through the app and the real outbox dispatcher, to a
real HTTP receiver: signatures the README's snippet verifies, retries with
backoff and an attempt log, replays detectable by id, and only the partner's
own bookings."""

from __future__ import annotations

import json
from datetime import timedelta

import pytest

from gigsta.resolvers.outbox import dispatch
from tests.fixtures_webhooks import webhook_receiver
from tests.ids import global_id
from tests.resolvers.webhooks_helpers import (
    DELIVERIES,
    REDELIVER,
    hooked_booking,
    hooked_partner,
    partner_books,
    readme_verifier,
    webhook_deliveries,
    webhook_outbox,
)
from tests.schema.test_bookings import cast, request  # noqa: F401 - fixture


async def test_the_receiver_verifies_a_signed_event(gql, cast, clock):  # noqa: F811
    verify = readme_verifier()
    with webhook_receiver() as receiver:
        hooked = await hooked_partner(gql, cast, receiver.url)
        assert hooked.secret.startswith("whsec_")
        booking = await partner_books(gql, cast, clock, hooked.key)
        # A customer's own booking (another slot) is not the partner's.
        later = clock.now + timedelta(days=3)
        await request(
            gql,
            cast,
            clock,
            scheduledStart=later.isoformat(),
            scheduledEnd=(later + timedelta(hours=2)).isoformat(),
        )
        report = await dispatch(clock, webhook_outbox(clock))
        assert report["sent"] == 1

    (got,) = receiver.arrived
    signature = got.headers["GigSta-Signature"]
    event = verify(hooked.secret, got.body, signature, now=clock.now.timestamp())
    assert event["type"] == "booking.requested"
    assert event["id"] == got.headers["GigSta-Event-Id"]
    assert event["created"] == int(clock.now.timestamp())
    assert global_id("Booking", event["data"]["booking_id"]) == booking
    # Anything else fails: another secret, a changed body, an old timestamp.
    with pytest.raises(ValueError, match="mismatch"):
        verify("whsec_other", got.body, signature, now=clock.now.timestamp())
    tampered = got.body.replace("booking.requested", "booking.cancelled")
    with pytest.raises(ValueError, match="mismatch"):
        verify(hooked.secret, tampered, signature, now=clock.now.timestamp())
    with pytest.raises(ValueError, match="tolerance"):
        verify(hooked.secret, got.body, signature, now=clock.now.timestamp() + 301)


async def test_two_failures_then_success_is_accepted_once_with_three_attempts(
    gql,
    cast,  # noqa: F811
    clock,
):
    with webhook_receiver(500, 503) as receiver:
        hooked = await hooked_booking(gql, cast, clock, receiver.url)
        outbox, first = webhook_outbox(clock), clock.now

        assert (await dispatch(clock, outbox))["retried"] == 1
        (delivery,) = await webhook_deliveries()
        assert delivery.next_attempt_at == first + timedelta(minutes=1)
        clock.advance(timedelta(seconds=59))
        assert (await dispatch(clock, outbox))["retried"] == 0  # not due yet
        clock.now = first + timedelta(minutes=1)
        assert (await dispatch(clock, outbox))["retried"] == 1
        (delivery,) = await webhook_deliveries()
        assert delivery.next_attempt_at == clock.now + timedelta(minutes=2)
        clock.advance(timedelta(minutes=2))
        assert (await dispatch(clock, outbox))["sent"] == 1
        assert (await dispatch(clock, outbox))["sent"] == 0

    assert [r.answered for r in receiver.arrived] == [500, 503, 200]
    assert len(receiver.accepted()) == 1
    assert len({r.headers["GigSta-Event-Id"] for r in receiver.arrived}) == 1
    data = await gql(DELIVERIES, {"e": hooked.endpoint, "first": 10}, hooked.key)
    (shown,) = data["webhookDeliveries"]["nodes"]
    assert shown["status"] == "sent"
    assert [a["statusCode"] for a in shown["attempts"]] == [500, 503, 200]
    assert [a["success"] for a in shown["attempts"]] == [False, False, True]
    assert all(a["durationMs"] >= 0 for a in shown["attempts"])


async def test_a_redelivery_is_a_replay_the_receiver_can_detect(
    gql,
    cast,  # noqa: F811
    clock,
):
    with webhook_receiver() as receiver:
        hooked = await hooked_booking(gql, cast, clock, receiver.url)
        outbox = webhook_outbox(clock)
        await dispatch(clock, outbox)
        data = await gql(DELIVERIES, {"e": hooked.endpoint, "first": 10}, hooked.key)
        (shown,) = data["webhookDeliveries"]["nodes"]
        clock.advance(timedelta(minutes=5))
        again = await gql(REDELIVER, {"i": {"deliveryId": shown["id"]}}, hooked.key)
        assert again["redeliverWebhook"]["errors"] == []
        assert again["redeliverWebhook"]["delivery"]["status"] == "PENDING".lower()
        assert (await dispatch(clock, outbox))["sent"] == 1

    first, second = receiver.arrived
    seen = {first.headers["GigSta-Event-Id"]}
    assert second.headers["GigSta-Event-Id"] in seen  # a replay, by its id
    assert json.loads(second.body)["id"] == json.loads(first.body)["id"]
    # Signed afresh: a new timestamp, so it passes a 5-minute tolerance.
    assert first.headers["GigSta-Signature"] != second.headers["GigSta-Signature"]
    verify = readme_verifier()
    verify(
        hooked.secret,
        second.body,
        second.headers["GigSta-Signature"],
        now=clock.now.timestamp(),
    )
    data = await gql(DELIVERIES, {"e": hooked.endpoint, "first": 10}, hooked.key)
    assert len(data["webhookDeliveries"]["nodes"][0]["attempts"]) == 2


async def test_only_subscribed_types_of_the_partner_s_bookings_are_sent(
    gql,
    cast,  # noqa: F811
    clock,
):
    with webhook_receiver() as receiver:
        mine = await hooked_partner(gql, cast, receiver.url, ["BOOKING_STATUS_CHANGED"])
        other = await hooked_partner(gql, cast, receiver.url, name="Other PM")
        booking = await partner_books(gql, cast, clock, mine.key)
        from tests.schema.test_bookings import act

        await act(gql, cast.worker, {"id": booking, "version": 1}, "accept")
        await dispatch(clock, webhook_outbox(clock))

    (got,) = receiver.arrived
    body = json.loads(got.body)
    assert body["type"] == "booking.status_changed"
    assert body["data"]["to_status"] == "accepted"
    assert other.endpoint not in {d.recipient for d in await webhook_deliveries()}
