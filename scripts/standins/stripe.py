"""Start `localstripe` (PyPI, GPL-3.0) as a child process.

It speaks Stripe's HTTP API well enough for card holds: PaymentIntents with
manual capture, 3-D Secure test cards, cancel, refunds, customers and
off-session use, and it delivers signed webhooks to URLs registered with
`POST /_config/webhooks/<id>`. It has no Connect endpoints and ignores
`Idempotency-Key`. Never imported by `gigsta/`.
"""

from __future__ import annotations

import os
import secrets
import urllib.request
from pathlib import Path
from urllib.parse import urlencode

from scripts.processes import (
    Process,
    executable,
    free_port,
    port_open,
    start_ready,
    stop_process,
)

TEST_SECRET_KEY = "sk_test_gigsta_localstripe"


def start_localstripe(
    log_path: Path, *, port: int | None = None
) -> tuple[Process, str]:
    """Start localstripe on `port` (default: a free one) with an empty store;
    return it and its URL.

    `--from-scratch`: localstripe keeps its store in a fixed file under /tmp
    that every instance on the machine shares, so we never load it.
    """
    port = port or free_port()
    proc = start_ready(
        [executable("localstripe"), "--port", str(port), "--from-scratch"],
        log_path,
        port_open(port),
        what="localstripe",
    )
    return proc, f"http://127.0.0.1:{port}"


def register_webhook(
    api_base: str, url: str, secret: str, hook_id: str = "gigsta"
) -> None:
    """Ask localstripe to deliver its events, signed with `secret`, to `url`."""
    request = urllib.request.Request(  # noqa: S310 - our own loopback server
        f"{api_base}/_config/webhooks/{hook_id}",
        data=urlencode({"url": url, "secret": secret}).encode(),
        method="POST",
    )
    with urllib.request.urlopen(request, timeout=10) as response:  # noqa: S310
        response.read()


def start_embedded_stripe(data_dir: Path) -> Process:
    """localstripe as Stripe, with its webhooks delivered to this server."""
    print("starting the embedded Stripe (localstripe) ...", flush=True)
    proc, api_base = start_localstripe(data_dir / "logs" / "localstripe.log")
    webhook_secret = "whsec_" + secrets.token_hex(16)
    host = os.environ.get("GIGSTA_HOST", "127.0.0.1")
    port = os.environ.get("GIGSTA_PORT", "8000")
    try:
        register_webhook(
            api_base, f"http://{host}:{port}/webhooks/stripe", webhook_secret
        )
    except BaseException:
        stop_process(proc)
        raise
    os.environ.update(
        STRIPE_SECRET_KEY=TEST_SECRET_KEY,
        STRIPE_API_BASE=api_base,
        STRIPE_WEBHOOK_SECRET=webhook_secret,
    )
    print(f"embedded Stripe at {api_base} (test card: paymentMethodId pm_card_visa)")
    return proc
