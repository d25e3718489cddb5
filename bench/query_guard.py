"""Benchmark: how fast hostile requests are refused, and whether /healthz notices.

Against a served process (`python -m gigsta serve` under uvicorn, over TCP),
started here on a throw-away SecantusDB with seeded bookings and an admin,
or against a running server given by URL (anonymous, no seeding):

    make bench-guard      # or: .venv/bin/python -m bench.query_guard [--url URL]

Prints, for each hostile request, its answer and the refusal time (median and
worst of several rounds); then /healthz p50/p99/max while another process
sends bursts of 10 of them at once; then the same under bursts of 10 requests
of the largest page the limits allow (9 workers with 100 bookings each, a
valid, expensive query).
"""

from __future__ import annotations

import argparse
import asyncio
import json
import multiprocessing
import secrets
import statistics
import sys
import time
from pathlib import Path
from typing import Any

import httpx
from pymongo import AsyncMongoClient

from bench.harness import server_env, with_database
from scripts.migrate import migrate_up
from scripts.processes import (
    free_port,
    http_answers,
    start_process,
    stop_process,
    wait_until,
)
from tests.schema.test_document_limits import fragment_doubling
from tests.schema.test_query_counts import seed_bookings

ROUNDS = 7
PASSWORD = "bench-password-123"
LOAD_SECONDS = 4.0
BURST = 10


def _json(payload: dict[str, Any]) -> dict[str, Any]:
    """Encoded once, so the client's own work does not count."""
    return {
        "content": json.dumps(payload).encode(),
        "headers": {"content-type": "application/json"},
    }


def hostile_requests() -> dict[str, dict[str, Any]]:
    """httpx keyword arguments of each hostile POST /graphql."""
    big = "x" * 10_000_000
    return {
        "fragment doubling, 30 levels": _json({"query": fragment_doubling(30)}),
        "fragment doubling, 100 levels": _json({"query": fragment_doubling(100)}),
        "1,200 repeated fields": _json({"query": "{ " + "__typename " * 1200 + "}"}),
        "10 MB string variable": _json(
            {"query": "{ services { key } }", "variables": {"s": big}}
        ),
        "20 MB body": {
            "content": b"x" * 20_000_000,
            "headers": {"content-type": "application/json"},
        },
        "5 aliases of nested lists": _json({"query": nested_aliases()}),
    }


def _workers_with_bookings(workers: int) -> str:
    return (
        f"workers(first: {workers}) {{ edges {{ node {{ id name services {{ key }} "
        "bookings(first: 100) { edges { node { id status history { action } "
        "customer { name } worker { name } } } } } } }"
    )


def nested_aliases() -> str:
    """5 x (100 workers + 100 x 100 bookings): past the bound on objects."""
    return (
        "{ " + " ".join(f"a{i}: {_workers_with_bookings(100)}" for i in range(5)) + " }"
    )


def largest_allowed() -> str:
    """9 workers x 100 bookings (cost 9,064, under the 10,000 maximum):
    within every bound."""
    return "{ " + _workers_with_bookings(9) + " }"


async def send(client: httpx.AsyncClient, kwargs: dict[str, Any]) -> tuple[str, float]:
    started = time.perf_counter()
    try:
        response = await client.post("/graphql", **kwargs)
        answer = str(response.status_code)
        try:
            errors = response.json().get("errors") or []
            if errors:
                answer += " " + str(errors[0].get("extensions", {}).get("code"))
        except json.JSONDecodeError:
            answer += " (not JSON)"
    except httpx.HTTPError as exc:
        answer = type(exc).__name__
    return answer, (time.perf_counter() - started) * 1000


def _attack(base: str, kwargs: dict[str, Any], token: str | None) -> None:
    """In its own process: bursts of BURST concurrent copies, for LOAD_SECONDS."""

    async def bursts() -> None:
        headers = {"Authorization": f"Bearer {token}"} if token else {}
        stop = time.perf_counter() + LOAD_SECONDS
        async with httpx.AsyncClient(base_url=base, headers=headers, timeout=120) as c:
            while time.perf_counter() < stop:
                await asyncio.gather(*(send(c, kwargs) for _ in range(BURST)))
                await asyncio.sleep(0.05)

    asyncio.run(bursts())


async def healthz_under(base: str, kwargs: dict[str, Any], token: str | None) -> str:
    """/healthz latencies while another process sends bursts of `kwargs`."""
    attacker = multiprocessing.get_context("spawn").Process(
        target=_attack, args=(base, kwargs, token)
    )
    attacker.start()
    await asyncio.sleep(1.0)  # the child's imports
    latencies: list[float] = []
    async with httpx.AsyncClient(base_url=base, timeout=120) as probe:
        while attacker.is_alive():
            started = time.perf_counter()
            await probe.get("/healthz")
            latencies.append((time.perf_counter() - started) * 1000)
            await asyncio.sleep(0.005)
    attacker.join()
    return percentiles(latencies)


def percentiles(values: list[float]) -> str:
    cuts = statistics.quantiles(values, n=100, method="inclusive")
    return f"p50 {cuts[49]:7.1f}  p99 {cuts[98]:7.1f}  max {max(values):7.1f}"


async def run(base: str, token: str | None) -> None:
    headers = {"Authorization": f"Bearer {token}"} if token else {}
    async with httpx.AsyncClient(base_url=base, headers=headers, timeout=120) as c:
        print(f"{'request':<32} {'answer':<28} {'median ms':>9} {'max ms':>8}")
        hostile = hostile_requests()
        for name, kwargs in hostile.items():
            timings, answers = [], set()
            for _ in range(ROUNDS):
                answer, ms = await send(c, kwargs)
                timings.append(ms)
                answers.add(answer)
            print(
                f"{name:<32} {', '.join(sorted(answers)):<28} "
                f"{statistics.median(timings):>9.1f} {max(timings):>8.1f}"
            )
        print()
        print(
            f"/healthz ms while bursts of {BURST} at once come, for {LOAD_SECONDS:g} s:"
        )
        idle = []
        for _ in range(50):
            started = time.perf_counter()
            await c.get("/healthz")
            idle.append((time.perf_counter() - started) * 1000)
        print(f"  {'(idle)':<30} {percentiles(idle)}")
        for name, kwargs in hostile.items():
            print(f"  {name:<30} {await healthz_under(base, kwargs, token)}")
        largest = _json({"query": largest_allowed()})
        answer, ms = await send(c, largest)
        print(f"  {'9 workers x 100 bookings':<30} ", end="")
        print(await healthz_under(base, largest, token))
        print(f"  (one such request alone: {answer}, {ms:.0f} ms)")


async def seed(uri: str, db_name: str) -> None:
    raw: AsyncMongoClient[dict[str, Any]] = AsyncMongoClient(uri, tz_aware=True)
    try:
        await migrate_up(raw[db_name])
        # Enough that the largest allowed page is full: 40 workers x 100.
        await seed_bookings(raw[db_name], 4_000, worker_count=40)
    finally:
        await raw.close()


async def log_in(base: str) -> str:
    async with httpx.AsyncClient(base_url=base, timeout=30) as c:
        response = await c.post(
            "/graphql",
            json={
                "query": "mutation($i: LogInInput!) { logIn(input: $i) { token } }",
                "variables": {"i": {"email": "bench@example.nz", "password": PASSWORD}},
            },
        )
        token: str = response.json()["data"]["logIn"]["token"]
        return token


def serve_and_run(uri: str, tmp: Path) -> None:
    db_name = f"gigsta_bench_{secrets.token_hex(3)}"
    asyncio.run(seed(uri, db_name))
    port = free_port()
    env = server_env(uri, db_name, port, GIGSTA_ADMIN_PASSWORD=PASSWORD)
    admin = start_process(
        [sys.executable, "-m", "gigsta", "create-admin", "--email", "bench@example.nz"],
        tmp / "admin.log",
        env=env,
    )
    admin.wait(60)
    base = f"http://127.0.0.1:{port}"
    server = start_process(
        [sys.executable, "-m", "gigsta", "serve"], tmp / "server.log", env=env
    )
    try:
        wait_until(http_answers(f"{base}/readyz", status=200), server, what="server")
        asyncio.run(run(base, asyncio.run(log_in(base))))
    finally:
        stop_process(server)


def main() -> None:
    parser = argparse.ArgumentParser(prog="python -m bench.query_guard")
    parser.add_argument("--url", help="a running server (anonymous, not seeded)")
    args = parser.parse_args()
    if args.url:
        asyncio.run(run(args.url.rstrip("/"), None))
        return
    with_database(serve_and_run)


if __name__ == "__main__":
    main()
