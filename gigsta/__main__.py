"""Command line: `python -m gigsta serve` and `python -m gigsta create-admin`."""

from __future__ import annotations

import argparse
import asyncio
import gc
import getpass
import importlib.util
import os
import sys

from gigsta.database import connect, init_documents
from gigsta.observability import configure_logging
from gigsta.resolvers.accounts.sign_in import create_admin
from gigsta.runtime import utc_now
from gigsta.settings import get_settings


def _read_admin_password() -> str:
    password = os.environ.get("GIGSTA_ADMIN_PASSWORD")
    if password:
        return password
    if sys.stdin.isatty():
        return getpass.getpass("Admin password: ")
    return sys.stdin.readline().rstrip("\n")


async def _create_admin(email: str, password: str) -> int:
    settings = get_settings()
    client = connect(settings.require_mongodb_uri())
    try:
        await init_documents(client[settings.mongodb_db])
        result = await create_admin(email=email, password=password, now=utc_now())
    finally:
        await client.close()
    if result.errors:
        for error in result.errors:
            sys.stderr.write(
                f"{error.field or 'error'}: {error.message} ({error.code})\n"
            )
        return 1
    assert result.user is not None
    sys.stdout.write(f"created admin {result.user.email} ({result.user.id})\n")
    return 0


def serve() -> None:
    import uvicorn  # noqa: PLC0415 - only the server needs it

    from gigsta.app import create_app  # noqa: PLC0415

    # JSON from the first line on: a setting that does not validate, or a
    # missing secret, is reported as a log record like everything else.
    configure_logging("INFO")
    settings = get_settings()
    configure_logging(settings.log_level)
    app = create_app(settings)
    # What start-up built (the schema, the documents' models, the libraries'
    # modules) lives as long as the process; frozen, the collector no longer
    # walks it, so a full collection under load takes a fraction of the time.
    gc.collect()
    gc.freeze()
    # After the freeze the collector counts only what was made since, so its
    # rule for a full collection (survivors past a quarter of the long-lived
    # objects) fired several times inside one large request, each pass
    # walking that request's objects: 45-65 ms with the event loop held. A
    # young generation of 20,000 and fewer promotions make a full collection
    # rare (`python -m bench.partner_load`: /healthz max 82 -> under 40 ms
    # with `gigsta.schema.core.turns`).
    gc.set_threshold(20_000, 50, 100)
    uvicorn.run(
        app,
        host=settings.host,
        port=settings.port,
        log_config=None,
        access_log=False,
        # uvloop's event loop and httptools' parser (uvicorn[standard]): per
        # request, less of the 2 CPUs goes to the loop and to HTTP parsing
        # than with asyncio's loop and h11. uvloop has no Windows build.
        loop="uvloop" if importlib.util.find_spec("uvloop") else "asyncio",
        http="httptools",
        # The app reads X-Forwarded-For itself, only from GIGSTA_TRUSTED_PROXIES:
        # uvicorn's default would believe any client connecting from loopback.
        proxy_headers=False,
        # SIGTERM: stop accepting, let in-flight requests finish for this long,
        # then cancel them, so the process always stops within a bound.
        timeout_graceful_shutdown=settings.shutdown_timeout_seconds,
    )


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m gigsta")
    commands = parser.add_subparsers(dest="command", required=True)
    commands.add_parser("serve", help="serve the API (settings from the environment)")
    admin = commands.add_parser(
        "create-admin",
        help="create an ADMIN account; the password comes from "
        "GIGSTA_ADMIN_PASSWORD or standard input",
    )
    admin.add_argument("--email", required=True)
    args = parser.parse_args(argv)
    if args.command == "serve":
        serve()
        return 0
    configure_logging(get_settings().log_level)
    return asyncio.run(_create_admin(args.email, _read_admin_password()))


if __name__ == "__main__":
    raise SystemExit(main())
