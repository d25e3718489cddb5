"""Benchmark: latency and MongoDB commands of a page of bookings, by page size.

Starts a throw-away SecantusDB (or uses MONGODB_URI), seeds bookings across many
customers and workers, and requests `bookings(first: N)` with customer, worker,
history and availableActions through the ASGI app, as an admin. Prints a table.

    make bench            # or: .venv/bin/python -m bench.booking_page
"""

from __future__ import annotations

import asyncio
import secrets
import statistics
import time
from datetime import UTC, datetime
from typing import Any

import httpx
from asgi_lifespan import LifespanManager
from pymongo import AsyncMongoClient

from bench.harness import with_database
from gigsta.app import create_app
from gigsta.resolvers.accounts.sign_in import create_admin
from gigsta.settings import Settings
from scripts.migrate import migrate_up
from tests.conftest import CommandCounter
from tests.schema.test_query_counts import PAGE, seed_bookings

ROUNDS = 30
PASSWORD = "bench-password-123"
LOG_IN = "mutation($i: LogInInput!) { logIn(input: $i) { token } }"


async def run(uri: str) -> None:
    db_name = f"gigsta_bench_{secrets.token_hex(3)}"
    settings = Settings(
        _env_file=None,  # type: ignore[call-arg]
        MONGODB_URI=uri,
        MONGODB_DB=db_name,
        GIGSTA_JWT_SECRET=secrets.token_urlsafe(40),
        GIGSTA_SWEEPER=False,
    )
    raw: AsyncMongoClient[dict[str, Any]] = AsyncMongoClient(uri, tz_aware=True)
    await migrate_up(raw[db_name])
    await seed_bookings(raw[db_name], 150)
    counter = CommandCounter()
    app = create_app(settings, command_listeners=[counter])
    try:
        async with LifespanManager(app) as manager:
            await create_admin(
                email="bench@example.nz", password=PASSWORD, now=datetime.now(UTC)
            )
            transport = httpx.ASGITransport(app=manager.app)
            async with httpx.AsyncClient(transport=transport, base_url="http://b") as c:
                login = await c.post(
                    "/graphql",
                    json={
                        "query": LOG_IN,
                        "variables": {
                            "i": {"email": "bench@example.nz", "password": PASSWORD}
                        },
                    },
                )
                token = login.json()["data"]["logIn"]["token"]
                headers = {"Authorization": f"Bearer {token}"}
                print(f"{'page':>5} {'commands':>9} {'median ms':>10} {'p95 ms':>8}")
                for size in (1, 10, 100):
                    timings = []
                    for _ in range(ROUNDS):
                        counter.reset()
                        started = time.perf_counter()
                        response = await c.post(
                            "/graphql",
                            json={"query": PAGE, "variables": {"first": size}},
                            headers=headers,
                        )
                        timings.append((time.perf_counter() - started) * 1000)
                        assert len(response.json()["data"]["bookings"]["edges"]) == size
                    p95 = statistics.quantiles(timings, n=20)[-1]
                    print(
                        f"{size:>5} {len(counter.commands):>9} "
                        f"{statistics.median(timings):>10.1f} {p95:>8.1f}"
                    )
    finally:
        await raw.drop_database(db_name)
        await raw.close()


def main() -> None:
    with_database(lambda uri, _workdir: asyncio.run(run(uri)))


if __name__ == "__main__":
    main()
