"""`python -m gigsta.jobs sweep`: apply due system transitions once and exit.

`python -m gigsta.jobs purge-uploads`: delete uploads never completed.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import sys

from gigsta.database import connect, init_documents
from gigsta.integrations.r2 import store_from_settings
from gigsta.observability import configure_logging
from gigsta.resolvers.bookings.timers import sweep
from gigsta.resolvers.files.cleanup import purge_abandoned_uploads
from gigsta.resolvers.payments.config import payments_from_settings
from gigsta.runtime import utc_now
from gigsta.settings import get_settings


async def _sweep_once() -> int:
    settings = get_settings()
    client = connect(settings.require_mongodb_uri())
    payments = payments_from_settings(settings)
    try:
        await init_documents(client[settings.mongodb_db])
        report = await sweep(utc_now(), payments)
    finally:
        await client.close()
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
    client = connect(settings.require_mongodb_uri())
    await store.start()
    try:
        await init_documents(client[settings.mongodb_db])
        purged = await purge_abandoned_uploads(store, now=utc_now())
    finally:
        await store.aclose()
        await client.close()
    sys.stdout.write(json.dumps({"purged": purged}) + "\n")
    return 0


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m gigsta.jobs")
    parser.add_argument("job", choices=["sweep", "purge-uploads"])
    args = parser.parse_args(argv)
    configure_logging(get_settings().log_level)
    if args.job == "purge-uploads":
        return asyncio.run(_purge_uploads())
    return asyncio.run(_sweep_once())


if __name__ == "__main__":
    raise SystemExit(main())
