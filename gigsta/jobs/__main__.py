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
from collections.abc import AsyncIterator, Callable, Coroutine
from typing import Any

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


def _report(result: object) -> int:
    """Print a job's result as one JSON line; the job succeeded."""
    sys.stdout.write(json.dumps(result) + "\n")
    return 0


def _not_configured(message: str) -> int:
    """Say why a job had nothing to work with; the job failed."""
    sys.stderr.write(message + "\n")
    return 1


async def _sweep_once(settings: Settings) -> int:
    payments = payments_from_settings(settings)
    try:
        async with _database(settings):
            report = await sweep(utc_now(), payments)
    finally:
        if payments is not None:
            await payments.gateway.close()
    return _report(
        {
            "moved": report.moved,
            "lost_races": report.lost_races,
            "payment_failures": report.payment_failures,
            "payments": report.payments,
        }
    )


async def _purge_uploads(settings: Settings) -> int:
    store = store_from_settings(settings)
    if store is None:
        return _not_configured("R2 is not configured; nothing to purge.")
    await store.start()
    try:
        async with _database(settings):
            purged = await purge_abandoned_uploads(store, now=utc_now())
    finally:
        await store.aclose()
    return _report({"purged": purged})


async def _dispatch_outbox(settings: Settings) -> int:
    outbox = outbox_from_settings(settings)
    if outbox is None:
        return _not_configured(
            "No outbox channel is configured (SMTP_HOST); nothing sent."
        )
    async with _database(settings):
        report = await dispatch(utc_now, outbox)
    return _report(report)


JOBS: dict[str, Callable[[Settings], Coroutine[Any, Any, int]]] = {
    "sweep": _sweep_once,
    "purge-uploads": _purge_uploads,
    "outbox": _dispatch_outbox,
}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m gigsta.jobs")
    parser.add_argument("job", choices=list(JOBS))
    args = parser.parse_args(argv)
    settings = get_settings()
    configure_logging(settings.log_level)
    return asyncio.run(JOBS[args.job](settings))


if __name__ == "__main__":
    raise SystemExit(main())
