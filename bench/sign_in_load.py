"""Benchmark: does the server stay responsive while passwords are being checked?

Starts a throw-away SecantusDB (or uses MONGODB_URI) and the real server
(`python -m gigsta serve`, uvicorn over TCP), creates accounts, then keeps
CONCURRENCY sign-ins in flight for ROUNDS rounds while a probe asks `/healthz`
every few milliseconds. Prints the `/healthz` latency (what every other client
of the server would feel) and the sign-in latency.

    .venv/bin/python -m bench.sign_in_load
"""

from __future__ import annotations

import asyncio
import secrets
import statistics
import sys
import time
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import httpx
from argon2 import PasswordHasher
from pymongo import AsyncMongoClient

from bench.harness import server_env, with_database
from scripts.migrate import migrate_up
from scripts.processes import free_port, http_answers, start_ready, stop_process

CONCURRENCY = 30
ROUNDS = 3
PROBE_INTERVAL = 0.01
PASSWORD = "bench-password-123"
LOG_IN = "mutation($i: LogInInput!) { logIn(input: $i) { token errors { code } } }"
PROJECT_ROOT = Path(__file__).resolve().parent.parent


def percentile(values: list[float], q: int) -> float:
    """The q-th percentile (nearest rank) of `values`, in their unit."""
    ordered = sorted(values)
    rank = max(0, min(len(ordered) - 1, round(q / 100 * len(ordered)) - 1))
    return ordered[rank]


async def seed_accounts(db: Any, count: int) -> list[str]:
    """`count` customers sharing one password, written straight to the database
    (hashed once here, so set-up does not load the server)."""
    password_hash = PasswordHasher().hash(PASSWORD)
    now = datetime.now(UTC)
    emails = [f"bench{i}@example.nz" for i in range(count)]
    await db["users"].insert_many(
        [
            {
                "email": email,
                "password_hash": password_hash,
                "role": "CUSTOMER",
                "created_at": now,
                "updated_at": now,
            }
            for email in emails
        ]
    )
    return emails


async def probe(client: httpx.AsyncClient, stop: asyncio.Event) -> list[float]:
    timings: list[float] = []
    while not stop.is_set():
        started = time.perf_counter()
        response = await client.get("/healthz")
        response.raise_for_status()
        timings.append((time.perf_counter() - started) * 1000)
        await asyncio.sleep(PROBE_INTERVAL)
    return timings


async def sign_in(client: httpx.AsyncClient, email: str) -> float:
    started = time.perf_counter()
    response = await client.post(
        "/graphql",
        json={
            "query": LOG_IN,
            "variables": {"i": {"email": email, "password": PASSWORD}},
        },
    )
    payload = response.json()["data"]["logIn"]
    assert payload["token"], payload["errors"]
    return (time.perf_counter() - started) * 1000


async def load(base_url: str, emails: list[str]) -> None:
    limits = httpx.Limits(max_connections=CONCURRENCY + 5)
    async with (
        httpx.AsyncClient(base_url=base_url, timeout=120, limits=limits) as clients,
        httpx.AsyncClient(base_url=base_url, timeout=120) as prober,
    ):
        idle = await _idle_probe(prober)
        stop = asyncio.Event()
        probing = asyncio.create_task(probe(prober, stop))
        sign_ins: list[float] = []
        started = time.perf_counter()
        for _ in range(ROUNDS):
            sign_ins += await asyncio.gather(*(sign_in(clients, e) for e in emails))
        wall = time.perf_counter() - started
        stop.set()
        busy = await probing
    print(f"{CONCURRENCY} concurrent sign-ins x {ROUNDS} rounds, {wall:.1f} s wall")
    print(f"{'':>22} {'n':>5} {'p50 ms':>8} {'p99 ms':>8} {'max ms':>8}")
    for name, values in (
        ("/healthz idle", idle),
        ("/healthz under load", busy),
        ("logIn", sign_ins),
    ):
        print(
            f"{name:>22} {len(values):>5} {statistics.median(values):>8.1f} "
            f"{percentile(values, 99):>8.1f} {max(values):>8.1f}"
        )


async def _idle_probe(client: httpx.AsyncClient) -> list[float]:
    timings = []
    for _ in range(50):
        started = time.perf_counter()
        (await client.get("/healthz")).raise_for_status()
        timings.append((time.perf_counter() - started) * 1000)
        await asyncio.sleep(PROBE_INTERVAL)
    return timings


def run(uri: str, workdir: Path) -> None:
    db_name = f"gigsta_bench_{secrets.token_hex(3)}"
    port = free_port()
    env = server_env(uri, db_name, port)

    async def prepare() -> list[str]:
        client: AsyncMongoClient[dict[str, Any]] = AsyncMongoClient(uri, tz_aware=True)
        try:
            await migrate_up(client[db_name])
            return await seed_accounts(client[db_name], CONCURRENCY)
        finally:
            await client.close()

    async def drop() -> None:
        client: AsyncMongoClient[dict[str, Any]] = AsyncMongoClient(uri)
        try:
            await client.drop_database(db_name)
        finally:
            await client.close()

    emails = asyncio.run(prepare())
    base_url = f"http://127.0.0.1:{port}"
    server = start_ready(
        [sys.executable, "-m", "gigsta", "serve"],
        workdir / "server.log",
        http_answers(f"{base_url}/readyz", status=200),
        what="the server",
        cwd=PROJECT_ROOT,
        env=env,
    )
    try:
        asyncio.run(load(base_url, emails))
    finally:
        stop_process(server)
        asyncio.run(drop())


def main() -> None:
    with_database(run)


if __name__ == "__main__":
    main()
