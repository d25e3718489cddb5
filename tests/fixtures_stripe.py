"""Stripe for the tests: a real localstripe process, a recording proxy in front
of it, the Connect stand-in, and signed webhook deliveries.

The app talks to Stripe only through the real `stripe` library over HTTP:
`STRIPE_API_BASE` is the recording proxy (which forwards to localstripe), and
`STRIPE_CONNECT_API_BASE` is the Connect stand-in. Test code itself talks to
localstripe directly (to make payment methods, to play the customer's part in
3-D Secure), so the recorder sees only what the app sent.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import secrets
import time
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

import httpx
import pytest
import stripe

from scripts.processes import stop_process
from scripts.standins.stripe import TEST_SECRET_KEY, start_localstripe
from tests.integrations.connect_standin import ConnectStandIn
from tests.integrations.stripe_recorder import StripeRecorder

WEBHOOK_SECRET = "whsec_test_" + "g" * 24


@pytest.fixture(scope="session")
def localstripe_url(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    log = tmp_path_factory.mktemp("localstripe") / "localstripe.log"
    proc, url = start_localstripe(log)
    try:
        yield url
    finally:
        stop_process(proc)


@pytest.fixture(scope="session")
def stripe_recorder(localstripe_url: str) -> Iterator[StripeRecorder]:
    recorder = StripeRecorder(upstream=localstripe_url).start()
    try:
        yield recorder
    finally:
        recorder.stop()


@pytest.fixture(scope="session")
def connect_standin() -> Iterator[ConnectStandIn]:
    standin = ConnectStandIn().start()
    try:
        yield standin
    finally:
        standin.stop()


@pytest.fixture(scope="session")
def stripe_settings(
    stripe_recorder: StripeRecorder, connect_standin: ConnectStandIn
) -> dict[str, Any]:
    """Extra settings for the app under test (merged by conftest's `settings`)."""
    return {
        "STRIPE_SECRET_KEY": TEST_SECRET_KEY,
        "STRIPE_WEBHOOK_SECRET": WEBHOOK_SECRET,
        "STRIPE_API_BASE": stripe_recorder.url,
        "STRIPE_CONNECT_API_BASE": connect_standin.url,
        # One attempt per call, so a simulated outage is seen by our code.
        "STRIPE_MAX_NETWORK_RETRIES": 0,
    }


def sign(payload: bytes, secret: str = WEBHOOK_SECRET, at: int | None = None) -> str:
    """A `Stripe-Signature` header, computed as Stripe computes it."""
    timestamp = int(time.time()) if at is None else at
    signed = f"{timestamp}.".encode() + payload
    digest = hmac.new(secret.encode(), signed, hashlib.sha256).hexdigest()
    return f"t={timestamp},v1={digest}"


def make_event(event_type: str, obj: dict[str, Any]) -> dict[str, Any]:
    return {
        "id": "evt_" + secrets.token_hex(12),
        "object": "event",
        "type": event_type,
        "created": int(time.time()),
        "livemode": False,
        "api_version": "2025-01-27.acacia",
        "data": {"object": obj},
    }


@dataclass
class StripeHarness:
    """What a payments test needs: the recorder, the stand-in, localstripe."""

    recorder: StripeRecorder
    connect: ConnectStandIn
    localstripe_url: str
    http: httpx.AsyncClient

    @property
    def client(self) -> stripe.StripeClient:
        return stripe.StripeClient(
            TEST_SECRET_KEY,
            base_addresses={"api": self.localstripe_url},
            max_network_retries=0,
        )

    def card(self, number: str) -> str:
        """A PaymentMethod for a test card number (what Stripe.js would make)."""
        method = self.client.v1.payment_methods.create(
            {
                "type": "card",
                "card": {
                    "number": number,
                    "exp_month": 12,
                    "exp_year": 2030,
                    "cvc": "123",
                },
            }
        )
        return str(method.id)

    def intent(self, intent_id: str) -> dict[str, Any]:
        data: dict[str, Any] = self.client.v1.payment_intents.retrieve(
            intent_id
        ).to_dict()
        return data

    def authenticate(
        self, intent_id: str, client_secret: str, *, success: bool
    ) -> None:
        """The customer's part of 3-D Secure, as Stripe.js does it on localstripe."""
        response = httpx.post(
            f"{self.localstripe_url}/v1/payment_intents/{intent_id}/_authenticate",
            data={
                "key": "pk_test_gigsta",
                "client_secret": client_secret,
                "success": "true" if success else "false",
            },
        )
        assert response.status_code == 200, response.text

    async def deliver(
        self, event: dict[str, Any], *, signature: str | None = "sign"
    ) -> httpx.Response:
        payload = json.dumps(event).encode()
        headers = {"Content-Type": "application/json"}
        if signature == "sign":
            headers["Stripe-Signature"] = sign(payload)
        elif signature is not None:
            headers["Stripe-Signature"] = signature
        return await self.http.post(
            "/webhooks/stripe", content=payload, headers=headers
        )


@pytest.fixture
def stripe_harness(
    stripe_recorder: StripeRecorder,
    connect_standin: ConnectStandIn,
    localstripe_url: str,
    http: httpx.AsyncClient,
) -> StripeHarness:
    stripe_recorder.reset()
    connect_standin.reset()
    return StripeHarness(stripe_recorder, connect_standin, localstripe_url, http)
