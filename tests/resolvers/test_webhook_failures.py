"""Partner webhooks when things go wrong: a dispatcher killed mid-delivery,
a receiver down for three days, receivers at refused addresses, and callers
without the right to an endpoint."""

from __future__ import annotations

import logging
import os
import signal
import sys
from datetime import timedelta

from gigsta.documents import WebhookAttempt, WebhookEndpoint
from gigsta.resolvers.outbox import dispatch
from scripts.processes import start_process, wait_until
from tests.fixtures_webhooks import webhook_receiver
from tests.resolvers.webhooks_helpers import (
    CREATE,
    DELIVERIES,
    REDELIVER,
    hooked_booking,
    hooked_partner,
    partner_books,
    webhook_deliveries,
    webhook_outbox,
)
from tests.schema.test_bookings import cast  # noqa: F401 - fixture


async def test_a_dispatcher_killed_mid_delivery_loses_nothing(
    gql,
    cast,  # noqa: F811
    clock,
    settings,
    mailbox,
    tmp_path,
    project_root,
):
    # The receiver holds its answer to the first POST: the event is on the
    # wire, not acknowledged, when the dispatcher is killed.
    with webhook_receiver(stall={1}) as receiver:
        await hooked_booking(gql, cast, clock, receiver.url)
        env = {
            **os.environ,
            "MONGODB_URI": settings.mongodb_uri,
            "MONGODB_DB": settings.mongodb_db,
            "GIGSTA_WEBHOOKS_ALLOW_PRIVATE": "true",
            **mailbox.env(),
        }
        dispatcher = start_process(
            [sys.executable, "-m", "gigsta.jobs", "outbox"],
            tmp_path / "dispatcher.log",
            env=env,
            cwd=project_root,
        )
        try:
            wait_until(
                lambda: bool(receiver.arrived), dispatcher, what="the first POST"
            )
            (claimed,) = await webhook_deliveries()
            assert (claimed.status, claimed.attempts) == ("pending", 1)
            assert claimed.lease_until is not None
        finally:
            dispatcher.send_signal(signal.SIGKILL)
            dispatcher.wait()

        outbox = webhook_outbox(clock)
        clock.now = claimed.lease_until - timedelta(seconds=1)
        assert (await dispatch(clock, outbox))["sent"] == 0  # still leased
        clock.now = claimed.lease_until
        assert (await dispatch(clock, outbox))["sent"] == 1
        assert (await dispatch(clock, outbox))["sent"] == 0

    # At least once: the unacknowledged first POST and the retry carry the
    # same event id, so the receiver keeps one.
    assert len(receiver.arrived) == 2
    ids = {r.headers["GigSta-Event-Id"] for r in receiver.arrived}
    assert len(ids) == 1
    (delivery,) = await webhook_deliveries()
    assert (delivery.status, delivery.attempts) == ("sent", 2)


async def test_an_endpoint_failing_for_three_days_is_disabled(
    gql,
    cast,  # noqa: F811
    clock,
    caplog,
):
    with webhook_receiver(*([500] * 100)) as receiver:
        hooked = await hooked_booking(gql, cast, clock, receiver.url)
        outbox, first = webhook_outbox(clock), clock.now
        with caplog.at_level(logging.ERROR, logger="gigsta.resolvers.outbox"):
            for _ in range(40):  # bounded: the schedule makes about 20 tries
                report = await dispatch(clock, outbox)
                (delivery,) = await webhook_deliveries()
                if delivery.status != "pending":
                    break
                clock.now = delivery.next_attempt_at
    assert report["dead"] == 1
    assert delivery.status == "dead"
    assert clock.now == first + timedelta(days=3)
    endpoint = await WebhookEndpoint.find_one({})
    assert endpoint is not None and not endpoint.enabled
    assert "failed" in (endpoint.disabled_reason or "")
    assert any("disabled" in r.getMessage() for r in caplog.records)
    attempts = await WebhookAttempt.find({"delivery_id": delivery.id}).count()
    assert attempts == len(receiver.arrived) == delivery.attempts
    # Disabled: redelivery is refused.
    data = await gql(DELIVERIES, {"e": hooked.endpoint, "first": 1}, hooked.key)
    shown = data["webhookDeliveries"]["nodes"][0]
    again = await gql(REDELIVER, {"i": {"deliveryId": shown["id"]}}, hooked.key)
    assert [e["code"] for e in again["redeliverWebhook"]["errors"]] == ["INVALID"]


async def test_refused_addresses_at_registration(gql, cast, runtime, settings):  # noqa: F811
    hooked = await hooked_partner(gql, cast, "http://127.0.0.1:9/x")
    runtime.settings = settings.model_copy(update={"webhooks_allow_private": False})
    try:
        for url in [
            "http://hooks.example.com/x",  # not https
            "https://127.0.0.1/x",
            "https://localhost/x",  # a name that resolves to loopback
            "https://[::1]/x",
            "https://169.254.169.254/latest/meta-data",
            "https://10.0.0.8/x",
            "https://no-such-host.invalid/x",
        ]:
            data = await gql(
                CREATE,
                {"i": {"url": url, "eventTypes": ["BOOKING_REQUESTED"]}},
                hooked.key,
            )
            payload = data["createWebhookEndpoint"]
            assert payload["endpoint"] is None, url
            assert [(e["field"], e["code"]) for e in payload["errors"]] == [
                ("url", "INVALID")
            ], url
    finally:
        runtime.settings = settings


async def test_a_receiver_at_a_refused_address_is_not_called_at_send_time(
    gql,
    cast,  # noqa: F811
    clock,
):
    with webhook_receiver() as receiver:
        await hooked_booking(gql, cast, clock, receiver.url)
        report = await dispatch(clock, webhook_outbox(clock, allow_private=False))
    assert report["retried"] == 1
    assert receiver.arrived == []
    (attempt,) = await WebhookAttempt.find_all().to_list()
    assert attempt.status_code is None
    assert "127.0.0.1" in (attempt.error or "")


async def test_only_the_owner_sees_and_manages_an_endpoint(
    gql,
    cast,  # noqa: F811
    clock,
):
    with webhook_receiver() as receiver:
        mine = await hooked_partner(gql, cast, receiver.url)
        other = await hooked_partner(gql, cast, receiver.url, name="Other PM")
        await partner_books(gql, cast, clock, mine.key)
        await dispatch(clock, webhook_outbox(clock))
    listed = await gql("{ webhookEndpoints { id } }", token=other.key)
    assert listed["webhookEndpoints"] == [{"id": other.endpoint}]
    data = await gql(DELIVERIES, {"e": mine.endpoint, "first": 5}, other.key)
    assert data["webhookDeliveries"]["nodes"] == []
    (delivery,) = (await gql(DELIVERIES, {"e": mine.endpoint, "first": 5}, mine.key))[
        "webhookDeliveries"
    ]["nodes"]
    again = await gql(REDELIVER, {"i": {"deliveryId": delivery["id"]}}, other.key)
    assert [e["code"] for e in again["redeliverWebhook"]["errors"]] == ["NOT_FOUND"]
    disable = """mutation($i: WebhookEndpointIdInput!) {
      disableWebhookEndpoint(input: $i) { endpoint { enabled disabledReason }
      errors { code } } }"""
    refused = await gql(disable, {"i": {"id": mine.endpoint}}, other.key)
    assert [e["code"] for e in refused["disableWebhookEndpoint"]["errors"]] == [
        "NOT_FOUND"
    ]
    done = await gql(disable, {"i": {"id": mine.endpoint}}, mine.key)
    assert done["disableWebhookEndpoint"]["endpoint"]["enabled"] is False
    # A person's account (not an admin) manages no endpoints.
    create = {"i": {"url": receiver.url, "eventTypes": ["BOOKING_REQUESTED"]}}
    person = await gql(CREATE, create, cast.customer.token)
    codes = [e["code"] for e in person["createWebhookEndpoint"]["errors"]]
    assert codes == ["NOT_ALLOWED"]
