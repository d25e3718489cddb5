"""The outbox dispatcher against real SMTP stand-ins: retries with backoff,
giving up, several dispatchers at once, and one killed in the middle of a
send. Bookings are made through the GraphQL API, as clients make them."""

from __future__ import annotations

import asyncio
import json
import logging
import os
import signal
import sys
from datetime import timedelta

from gigsta.documents import Delivery, DomainEvent
from gigsta.domain.notifications.retries import MAX_ATTEMPTS, retry_delay
from gigsta.jobs.sweeper import run_sweeper
from gigsta.resolvers.core.stopping import stop
from gigsta.resolvers.outbox import dispatch
from scripts.processes import free_port, start_process, wait_until
from tests.conftest import run_cli
from tests.fixtures_smtp import Mailbox, smtp_standin
from tests.schema.payments_helpers import must, parties, request


async def _one_request(gql, clock):
    """A requested booking: one event, one email (to the worker) to send."""
    p = await parties(gql, clock)
    payload = await request(gql, p, "pm_card_visa", clock.now + timedelta(days=3))
    assert payload["errors"] == []
    return p, payload["booking"]


async def _only_delivery() -> Delivery:
    (delivery,) = await Delivery.find_all().to_list()
    return delivery


async def test_a_failing_server_is_retried_with_backoff_until_it_recovers(
    gql, clock, stripe_harness, settings, tmp_path
):
    await _one_request(gql, clock)
    with smtp_standin(tmp_path / "mail", "--fail-first", "2") as flaky:
        outbox = flaky.outbox(settings)
        first = clock.now

        report = await dispatch(clock, outbox)
        assert (report["events_dispatched"], report["retried"]) == (1, 1)
        delivery = await _only_delivery()
        assert delivery.status == "pending" and delivery.attempts == 1
        assert delivery.next_attempt_at == first + timedelta(seconds=30)
        assert delivery.last_error is not None and "451" in delivery.last_error
        assert delivery.lease_until is None

        clock.advance(timedelta(seconds=29))
        assert (await dispatch(clock, outbox))["retried"] == 0  # not due yet
        clock.now = first + timedelta(seconds=30)
        assert (await dispatch(clock, outbox))["retried"] == 1
        delivery = await _only_delivery()
        assert delivery.next_attempt_at == clock.now + timedelta(minutes=1)

        clock.advance(timedelta(minutes=1))
        assert (await dispatch(clock, outbox))["sent"] == 1
        delivery = await _only_delivery()
        assert (delivery.status, delivery.attempts) == ("sent", 3)
        assert len(flaky.messages()) == 1


async def test_a_delivery_is_dead_after_the_last_attempt(
    gql, clock, stripe_harness, settings, caplog, tmp_path
):
    await _one_request(gql, clock)
    # Nothing listens there: every attempt fails to connect.
    nowhere = Mailbox(store=tmp_path, port=free_port()).outbox(settings)
    with caplog.at_level(logging.WARNING, logger="gigsta.resolvers.outbox"):
        for attempt in range(1, MAX_ATTEMPTS + 1):
            report = await dispatch(clock, nowhere)
            delivery = await _only_delivery()
            assert delivery.attempts == attempt
            if attempt < MAX_ATTEMPTS:
                assert report["retried"] == 1 and delivery.status == "pending"
                assert delivery.next_attempt_at == clock.now + retry_delay(attempt)
                clock.now = delivery.next_attempt_at
    assert report["dead"] == 1
    assert delivery.status == "dead"
    assert delivery.last_error
    dead = [r for r in caplog.records if "is dead" in r.getMessage()]
    assert len(dead) == 1 and dead[0].levelno == logging.ERROR
    # A dead delivery is never tried again.
    clock.advance(timedelta(days=1))
    assert (await dispatch(clock, nowhere))["dead"] == 0
    assert (await _only_delivery()).attempts == MAX_ATTEMPTS


async def test_a_permanent_refusal_is_dead_at_once(
    gql, clock, stripe_harness, settings, tmp_path
):
    await _one_request(gql, clock)
    with smtp_standin(tmp_path / "mail", "--reject-all") as refusing:
        report = await dispatch(clock, refusing.outbox(settings))
        assert (report["dead"], report["retried"]) == (1, 0)
        delivery = await _only_delivery()
        assert (delivery.status, delivery.attempts) == ("dead", 1)
        assert "550" in delivery.last_error
        assert refusing.messages() == []


async def test_two_dispatchers_at_once_send_each_message_once(
    gql, clock, stripe_harness, settings, mailbox
):
    for _ in range(3):
        p, booking = await _one_request(gql, clock)
        await must(gql, p.worker_token, booking, "accept")

    reports = await asyncio.gather(
        dispatch(clock, mailbox.outbox(settings)),
        dispatch(clock, mailbox.outbox(settings)),
    )

    assert sum(r["events_dispatched"] for r in reports) == 6
    assert sum(r["sent"] for r in reports) == 6
    ids = [m["Message-ID"] for m in mailbox.messages()]
    assert len(ids) == len(set(ids)) == 6
    assert await Delivery.find({"status": "sent"}).count() == 6


async def test_a_dispatcher_killed_mid_send_still_delivers_exactly_once(
    gql, clock, stripe_harness, settings, tmp_path, project_root
):
    await _one_request(gql, clock)
    store = tmp_path / "mail"
    # The stand-in holds its reply to the first message's DATA: the message
    # is on the wire but not accepted when the dispatcher is killed.
    with smtp_standin(store, "--stall-first", "1", "--stall-seconds", "120") as slow:
        env = {
            **os.environ,
            "MONGODB_URI": settings.mongodb_uri,
            "MONGODB_DB": settings.mongodb_db,
            **slow.env(),
        }
        dispatcher = start_process(
            [sys.executable, "-m", "gigsta.jobs", "outbox"],
            tmp_path / "dispatcher.log",
            env=env,
            cwd=project_root,
        )
        try:
            wait_until(
                (store / ".stalled-000001").exists,
                dispatcher,
                what="the dispatcher's first send",
            )
            claimed = await _only_delivery()
            assert (claimed.status, claimed.attempts) == ("pending", 1)
            assert claimed.lease_token is not None and claimed.lease_until is not None
        finally:
            dispatcher.send_signal(signal.SIGKILL)
            dispatcher.wait()
        assert slow.messages() == []

        # While the dead dispatcher's lease lasts, nobody takes the delivery.
        clock.now = claimed.lease_until - timedelta(seconds=1)
        assert (await dispatch(clock, slow.outbox(settings)))["sent"] == 0
        # Once it has passed, the next dispatcher sends it, once.
        clock.now = claimed.lease_until
        assert (await dispatch(clock, slow.outbox(settings)))["sent"] == 1
        assert (await dispatch(clock, slow.outbox(settings)))["sent"] == 0

        (message,) = slow.messages()
        assert message["Message-ID"] == claimed.payload["message_id"]
        delivery = await _only_delivery()
        assert (delivery.status, delivery.attempts) == ("sent", 2)
        (event,) = await DomainEvent.find_all().to_list()
        assert event.outbox.status == "dispatched"


async def test_the_sweeper_loop_dispatches_the_outbox(
    gql, clock, stripe_harness, settings, mailbox
):
    await _one_request(gql, clock)
    task = asyncio.create_task(run_sweeper(clock, 0.01, None, mailbox.outbox(settings)))
    try:
        for _ in range(500):  # bounded: at most ~5 s
            if mailbox.messages():
                break
            await asyncio.sleep(0.01)
    finally:
        await stop(task)
    (message,) = mailbox.messages()
    assert message["Subject"].startswith("New booking request from Kim")


async def test_the_one_shot_command_reports_what_it_did(
    gql, clock, stripe_harness, settings, mailbox, project_root
):
    await _one_request(gql, clock)
    database = {"MONGODB_URI": settings.mongodb_uri, "MONGODB_DB": settings.mongodb_db}
    command = [sys.executable, "-m", "gigsta.jobs", "outbox"]

    # No SMTP server configured: nothing is sent and the event keeps waiting.
    idle = run_cli(command, env={**database, "SMTP_HOST": ""}, cwd=project_root)
    assert idle.returncode == 1
    assert "SMTP_HOST" in idle.stderr
    (event,) = await DomainEvent.find_all().to_list()
    assert event.outbox.status == "pending"

    result = run_cli(command, env={**database, **mailbox.env()}, cwd=project_root)
    assert result.returncode == 0, result.stderr
    report = json.loads(result.stdout.strip().splitlines()[-1])
    assert (report["events_dispatched"], report["sent"]) == (1, 1)
    assert len(mailbox.messages()) == 1
