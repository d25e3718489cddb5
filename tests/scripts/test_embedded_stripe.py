"""`make run`'s embedded Stripe: localstripe, with its signed webhooks sent to
the server's `/webhooks/stripe` and verifiable with the secret it was given."""

from __future__ import annotations

import os
import threading
import time

import stripe
from aiohttp import web

from scripts.processes import stop_process
from scripts.standins.stripe import start_embedded_stripe
from tests.integrations.threaded_server import ThreadedServer


def test_embedded_stripe_delivers_signed_webhooks(tmp_path, monkeypatch):
    received: list[tuple[bytes, str]] = []
    arrived = threading.Event()

    async def webhook(request: web.Request) -> web.Response:
        received.append(
            (await request.read(), request.headers.get("Stripe-Signature", ""))
        )
        arrived.set()
        return web.json_response({"received": True})

    app = web.Application()
    app.router.add_post("/webhooks/stripe", webhook)
    receiver = ThreadedServer(app).start()
    for name in ("STRIPE_SECRET_KEY", "STRIPE_API_BASE", "STRIPE_WEBHOOK_SECRET"):
        monkeypatch.setenv(name, "")  # restored (removed) after the test
    monkeypatch.setenv("GIGSTA_HOST", "127.0.0.1")
    monkeypatch.setenv("GIGSTA_PORT", str(receiver.port))
    proc = start_embedded_stripe(tmp_path)
    try:
        assert os.environ["STRIPE_SECRET_KEY"].startswith("sk_test_")
        secret = os.environ["STRIPE_WEBHOOK_SECRET"]
        assert secret.startswith("whsec_")
        client = stripe.StripeClient(
            os.environ["STRIPE_SECRET_KEY"],
            base_addresses={"api": os.environ["STRIPE_API_BASE"]},
        )
        intent = client.v1.payment_intents.create(
            {
                "amount": 9450,
                "currency": "nzd",
                "payment_method": "pm_card_visa",
                "confirm": True,
            }
        )
        # localstripe delivers about a second later, from its own process.
        deadline = time.monotonic() + 10
        while not arrived.is_set() and time.monotonic() < deadline:
            arrived.wait(0.2)
        assert received, "no webhook delivered"
        payload, signature = received[0]
        event = stripe.Webhook.construct_event(payload, signature, secret)
        assert event.type == "payment_intent.succeeded"
        assert event.data.object.id == intent.id
    finally:
        stop_process(proc)
        receiver.stop()
