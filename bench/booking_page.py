"""Benchmark: latency and MongoDB commands of a page of bookings, by page size
and by how many bookings there are.

Starts a throw-away SecantusDB (or uses MONGODB_URI), seeds bookings across many
customers and workers, and requests `bookings(first: N)` with customer, worker,
history and availableActions through the ASGI app, as an admin. Prints a table;
then the admin's first page of 20 (all bookings, and filtered by status) with
1,000, 5,000 and 20,000 bookings stored, beside the same `find` sent straight
through pymongo (newest first, limit 21, no bound). On MongoDB the plan (an
IXSCAN of the `newest` index under a LIMIT) stops after 21 keys, so both stay
flat; SecantusDB reads every key within the index bounds before applying the
limit (its explain's executionStats show `totalKeysExamined` equal to the
bookings stored), so there the raw `find` grows with the collection. The app
reads the admin's first pages from where its last one ended
(`gigsta.resolvers.core.newest_pages`), so its median stays flat; the first
request after each growth reads the plain way and learns the bound, which
shows in the p95.

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
COLLECTION_SIZES = (1_000, 5_000, 20_000)
ADMIN_PAGE = """query($status: BookingStatus) {
  bookings(first: 20, status: $status) { edges { node {
    id status customer { name } worker { name }
    availableActions { actionName } } } } }"""
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
        # Latency, not throttling: the bucket never runs dry here.
        GIGSTA_QUERY_COST_RESTORE_RATE=1_000_000_000,
    )
    raw: AsyncMongoClient[dict[str, Any]] = AsyncMongoClient(uri, tz_aware=True)
    await migrate_up(raw[db_name])
    await seed_bookings(raw[db_name], COLLECTION_SIZES[0])
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
                    counter.reset()
                    timings = await _page_ms(c, headers, PAGE, {"first": size}, size)
                    p95 = statistics.quantiles(timings, n=20)[-1]
                    print(
                        f"{size:>5} {len(counter.commands) // ROUNDS:>9} "
                        f"{statistics.median(timings):>10.1f} {p95:>8.1f}"
                    )
                await _by_collection_size(c, headers, counter, raw[db_name])
    finally:
        await raw.drop_database(db_name)
        await raw.close()


async def _page_ms(
    c: httpx.AsyncClient,
    headers: dict[str, str],
    query: str,
    variables: dict[str, Any],
    size: int,
) -> list[float]:
    """ROUNDS requests of a page of `size` bookings, in milliseconds each."""
    timings = []
    for _ in range(ROUNDS):
        started = time.perf_counter()
        response = await c.post(
            "/graphql",
            json={"query": query, "variables": variables},
            headers=headers,
        )
        timings.append((time.perf_counter() - started) * 1000)
        assert len(response.json()["data"]["bookings"]["edges"]) == size
    return timings


async def _by_collection_size(
    c: httpx.AsyncClient,
    headers: dict[str, str],
    counter: CommandCounter,
    db: Any,
) -> None:
    print()
    print("The admin's first page of 20, by bookings stored:")
    head = ("bookings", "filter", "commands", "median ms", "p95 ms", "raw find ms")
    print("{:>9} {:>10} {:>9} {:>10} {:>8} {:>12}".format(*head))
    stored = COLLECTION_SIZES[0]
    for size in COLLECTION_SIZES:
        if size > stored:
            await seed_bookings(db, size - stored)
            stored = size
        assert await db["bookings"].count_documents({}) == size
        for status in (None, "COMPLETED"):
            counter.reset()
            timings = await _page_ms(c, headers, ADMIN_PAGE, {"status": status}, 20)
            commands = len(counter.commands) // ROUNDS
            p95 = statistics.quantiles(timings, n=20)[-1]
            raw = await _raw_find_ms(db, status)
            print(
                f"{size:>9} {status or 'none':>10} {commands:>9} "
                f"{statistics.median(timings):>10.1f} {p95:>8.1f} {raw:>12.1f}"
            )


async def _raw_find_ms(db: Any, status: str | None) -> float:
    """Median time of the page's `find` alone, straight through pymongo."""
    query = {"status": status.lower()} if status else {}
    timings = []
    for _ in range(ROUNDS):
        started = time.perf_counter()
        cursor = db["bookings"].find(query).sort([("created_at", -1), ("_id", -1)])
        await cursor.limit(21).to_list()
        timings.append((time.perf_counter() - started) * 1000)
    return statistics.median(timings)


def main() -> None:
    with_database(lambda uri, _workdir: asyncio.run(run(uri)))


if __name__ == "__main__":
    main()
