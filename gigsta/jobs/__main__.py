"""`python -m gigsta.jobs sweep`: apply due system transitions once and exit.

`python -m gigsta.jobs outbox`: one outbox dispatch pass (fan out pending
events, send due deliveries) and exit; safe beside running servers.

`python -m gigsta.jobs purge-uploads`: delete uploads never completed.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import json
import sys
from collections.abc import AsyncIterator

from gigsta.database import connect, init_documents
from gigsta.integrations.r2 import store_from_settings
from gigsta.observability import configure_logging
from gigsta.resolvers.bookings.timers import sweep
from gigsta.resolvers.files.cleanup import purge_abandoned_uploads
from gigsta.resolvers.outbox import dispatch, outbox_from_settings
from gigsta.resolvers.payments.config import payments_from_settings
from gigsta.runtime import utc_now
from gigsta.settings import Settings, get_settings


@contextlib.asynccontextmanager
async def _database(settings: Settings) -> AsyncIterator[None]:
    """The documents bound to the configured database for one job."""
    client = connect(settings.require_mongodb_uri())
    try:
        await init_documents(client[settings.mongodb_db])
        yield
    finally:
        await client.close()


async def _sweep_once() -> int:
    settings = get_settings()
    payments = payments_from_settings(settings)
    try:
        async with _database(settings):
            report = await sweep(utc_now(), payments)
    finally:
        if payments is not None:
            await payments.gateway.close()
    sys.stdout.write(
        json.dumps(
            {
                "moved": report.moved,
                "lost_races": report.lost_races,
                "payment_failures": report.payment_failures,
                "payments": report.payments,
            }
        )
        + "\n"
    )
    return 0


async def _purge_uploads() -> int:
    settings = get_settings()
    store = store_from_settings(settings)
    if store is None:
        sys.stderr.write("R2 is not configured; nothing to purge.\n")
        return 1
    await store.start()
    try:
        async with _database(settings):
            purged = await purge_abandoned_uploads(store, now=utc_now())
    finally:
        await store.aclose()
    sys.stdout.write(json.dumps({"purged": purged}) + "\n")
    return 0


async def _dispatch_outbox() -> int:
    settings = get_settings()
    outbox = outbox_from_settings(settings)
    if outbox is None:
        sys.stderr.write("No outbox channel is configured (SMTP_HOST); nothing sent.\n")
        return 1
    async with _database(settings):
        report = await dispatch(utc_now, outbox)
    sys.stdout.write(json.dumps(report) + "\n")
    return 0


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m gigsta.jobs")
    parser.add_argument("job", choices=["sweep", "purge-uploads", "outbox"])
    args = parser.parse_args(argv)
    configure_logging(get_settings().log_level)
    if args.job == "purge-uploads":
        return asyncio.run(_purge_uploads())
    if args.job == "outbox":
        return asyncio.run(_dispatch_outbox())
    return asyncio.run(_sweep_once())


if __name__ == "__main__":
    raise SystemExit(main())
