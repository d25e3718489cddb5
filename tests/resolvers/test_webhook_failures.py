"""Partner webhooks when things go wrong: a dispatcher killed mid-delivery,
a receiver down for three days, receivers at refused addresses, and callers
without the right to an endpoint."""

from __future__ import annotations

import logging
import os
import signal
import sys
from datetime import timedelta

from gigsta.documents import Delivery, WebhookAttempt, WebhookEndpoint
from gigsta.resolvers.outbox import Outbox, dispatch, outbox_from_settings
from scripts.processes import start_process, wait_until
from tests.fixtures_smtp import text
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
from tests.schema.partners_helpers import make_partner
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


async def fail_for_three_days(clock, outbox: Outbox) -> tuple[dict[str, int], Delivery]:
    """Dispatch the one webhook delivery until it is no longer pending, each
    pass at its next attempt's time; the last pass's report and the delivery."""
    for _ in range(40):  # bounded: the schedule makes about 20 tries
        report = await dispatch(clock, outbox)
        (delivery,) = await webhook_deliveries()
        if delivery.status != "pending":
            break
        clock.now = delivery.next_attempt_at
    return report, delivery


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
            report, delivery = await fail_for_three_days(clock, outbox)
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


UPDATE_PARTNER = """mutation($i: UpdatePartnerInput!) { updatePartner(input: $i) {
  partner { name contactEmail } errors { field code } } }"""
ENABLE = """mutation($i: WebhookEndpointIdInput!) {
  enableWebhookEndpoint(input: $i) { endpoint { enabled disabledReason }
  errors { code } } }"""


async def test_the_owner_of_a_disabled_endpoint_is_told_and_can_turn_it_back_on(
    gql,
    cast,  # noqa: F811
    clock,
    settings,
    mailbox,
):
    with webhook_receiver(*([500] * 100)) as receiver:
        hooked = await hooked_booking(gql, cast, clock, receiver.url)
        contact = {"id": hooked.partner, "contactEmail": "Ops@Harbour.example"}
        set_contact = await gql(UPDATE_PARTNER, {"i": contact}, cast.admin.token)
        assert set_contact["updatePartner"] == {
            "partner": {"name": "Harbour PM", "contactEmail": "ops@harbour.example"},
            "errors": [],
        }
        allowed = settings.model_copy(update={"webhooks_allow_private": True})
        outbox = outbox_from_settings(mailbox.settings(allowed), clock)
        assert outbox is not None
        await fail_for_three_days(clock, outbox)
        for _ in range(3):  # later passes do not send it again
            await dispatch(clock, outbox)
        (told,) = mailbox.to("ops@harbour.example")
        assert told["Subject"] == "GigSta: your webhook endpoint was disabled"
        endpoint = await WebhookEndpoint.find_one({})
        assert endpoint is not None and endpoint.disabled_reason is not None
        assert receiver.url in text(told)
        assert endpoint.disabled_reason in text(told)
        assert "enableWebhookEndpoint" in text(told)

        # Back on: new events reach it, and the dead delivery can be sent again.
        receiver.statuses.clear()
        on = await gql(ENABLE, {"i": {"id": hooked.endpoint}}, hooked.key)
        assert on["enableWebhookEndpoint"] == {
            "endpoint": {"enabled": True, "disabledReason": None},
            "errors": [],
        }
        data = await gql(DELIVERIES, {"e": hooked.endpoint, "first": 1}, hooked.key)
        dead = data["webhookDeliveries"]["nodes"][0]
        again = await gql(REDELIVER, {"i": {"deliveryId": dead["id"]}}, hooked.key)
        assert again["redeliverWebhook"]["errors"] == []
        await partner_books(gql, cast, clock, hooked.key)
        await dispatch(clock, outbox)
        await dispatch(clock, outbox)
    assert len(receiver.accepted()) == 2
    assert len({r.headers["GigSta-Event-Id"] for r in receiver.accepted()}) == 2
    endpoint = await WebhookEndpoint.find_one({})
    assert endpoint is not None and endpoint.failing_since is None
    assert len(mailbox.to("ops@harbour.example")) == 1


async def test_partner_contact_addresses_are_checked(gql, cast):  # noqa: F811
    partner = await make_partner(gql, cast.admin.token)
    bad = {"id": partner, "contactEmail": "not an address"}
    refused = await gql(UPDATE_PARTNER, {"i": bad}, cast.admin.token)
    assert refused["updatePartner"]["errors"] == [
        {"field": "contactEmail", "code": "INVALID_EMAIL"}
    ]
    ok = {"id": partner, "contactEmail": "ops@harbour.example"}
    assert (await gql(UPDATE_PARTNER, {"i": ok}, cast.admin.token))["updatePartner"][
        "errors"
    ] == []
    # Left out: it stays; null: no contact.
    renamed = await gql(
        UPDATE_PARTNER, {"i": {"id": partner, "name": "Harbour"}}, cast.admin.token
    )
    assert renamed["updatePartner"]["partner"] == {
        "name": "Harbour",
        "contactEmail": "ops@harbour.example",
    }
    cleared = {"id": partner, "contactEmail": None}
    data = await gql(UPDATE_PARTNER, {"i": cleared}, cast.admin.token)
    assert data["updatePartner"]["partner"]["contactEmail"] is None
    # Admins only.
    person = await gql(UPDATE_PARTNER, {"i": ok}, cast.customer.token)
    assert [e["code"] for e in person["updatePartner"]["errors"]] == ["NOT_ALLOWED"]


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
    # Deleted: no longer listed, and no longer managed (even by its owner).
    delete = """mutation($i: WebhookEndpointIdInput!) {
      deleteWebhookEndpoint(input: $i) { errors { code } } }"""
    gone = await gql(delete, {"i": {"id": mine.endpoint}}, mine.key)
    assert gone["deleteWebhookEndpoint"]["errors"] == []
    assert (await gql("{ webhookEndpoints { id } }", token=mine.key)) == {
        "webhookEndpoints": []
    }
    again = await gql(ENABLE, {"i": {"id": mine.endpoint}}, mine.key)
    assert [e["code"] for e in again["enableWebhookEndpoint"]["errors"]] == [
        "NOT_FOUND"
    ]
    # A person's account (not an admin) manages no endpoints.
    create = {"i": {"url": receiver.url, "eventTypes": ["BOOKING_REQUESTED"]}}
    person = await gql(CREATE, create, cast.customer.token)
    codes = [e["code"] for e in person["createWebhookEndpoint"]["errors"]]
    assert codes == ["NOT_ALLOWED"]
