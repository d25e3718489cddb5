"""Benchmark: live updates across two server instances.

Starts a throw-away SecantusDB (or uses MONGODB_URI) and two served apps, A
and B, on one database. A customer follows `myBookingEvents` through both;
the worker accepts 200 bookings one after another through A. Prints the
latency from sending each mutation to the event reaching the subscriber on
the same instance (A) and on the other (B), p50 and p99. Then opens idle
subscribers on B in steps and prints B's CPU while nothing happens, up to
the largest step that stays under 10 % of one core.

    make bench-live       # or: .venv/bin/python -m bench.subscriptions
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import os
import secrets
import sys
import time
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import websockets
from pymongo import AsyncMongoClient

from bench.harness import server_env, with_database
from bench.sign_in_load import percentile
from scripts.migrate import migrate_up
from scripts.processes import (
    Process,
    free_port,
    http_answers,
    start_ready,
    stop_process,
)
from tests.live_clients import (
    ACT,
    Party,
    graphql,
    offer_cleaning,
    request_booking,
    sign_up,
    ws_url,
)

TRANSITIONS = 200
SUBSCRIBER_STEPS = (0, 250, 500, 1000, 2000, 4000, 8000)
IDLE_CPU_LIMIT = 0.10  # of one core
IDLE_WINDOW_SECONDS = 5.0
PASSWORD = "bench-password-123"
PROJECT_ROOT = Path(__file__).resolve().parent.parent
EVENTS = "subscription { myBookingEvents { type booking { id } } }"


def cpu_seconds(pid: int) -> float:
    """User plus system CPU time the process has used (Linux /proc)."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


@contextlib.asynccontextmanager
async def subscriber(base: str, token: str) -> AsyncIterator[Any]:
    """A graphql-transport-ws connection following `myBookingEvents`."""
    async with websockets.connect(
        ws_url(base), subprotocols=["graphql-transport-ws"], max_queue=None
    ) as socket:
        auth = {"Authorization": f"Bearer {token}"}
        await socket.send(json.dumps({"type": "connection_init", "payload": auth}))
        ack = json.loads(await socket.recv())
        assert ack["type"] == "connection_ack", ack
        subscribe = {"id": "1", "type": "subscribe", "payload": {"query": EVENTS}}
        await socket.send(json.dumps(subscribe))
        yield socket


Arrivals = dict[tuple[str, str], asyncio.Future[float]]


async def arrivals(socket: Any, expected: Arrivals) -> None:
    """Record when each expected (booking id, event type) reaches this socket."""
    async for raw in socket:
        message = json.loads(raw)
        assert message["type"] == "next", message
        event = message["payload"]["data"]["myBookingEvents"]
        arrived = expected.get((event["booking"]["id"], event["type"]))
        if arrived is not None and not arrived.done():
            arrived.set_result(time.perf_counter())


def expect(sides: list[Arrivals], booking_id: str, kind: str) -> list[Any]:
    loop = asyncio.get_running_loop()
    return [side.setdefault((booking_id, kind), loop.create_future()) for side in sides]


async def registered(
    a: str, customer: Party, worker: Party, sides: list[Arrivals]
) -> None:
    """Until a booking requested now reaches every subscriber: from then on,
    their subscriptions are registered with their instance's hub."""
    for _ in range(20):
        probe = await request_booking(a, customer, worker)
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(
                asyncio.gather(*expect(sides, probe, "booking.requested")), 1
            )
            return
    raise RuntimeError("the subscriptions never started")


async def latencies(
    a: str, b: str, customer: Party, worker: Party
) -> dict[str, list[float]]:
    """Milliseconds from sending each accept (through A) to its event at a
    subscriber on A and on B."""
    bookings = [await request_booking(a, customer, worker) for _ in range(TRANSITIONS)]
    timings: dict[str, list[float]] = {
        "same instance (A)": [],
        "other instance (B)": [],
        "(mutation response)": [],
    }
    sides: list[Arrivals] = [{}, {}]
    async with (
        subscriber(a, customer.token) as on_a,
        subscriber(b, customer.token) as on_b,
    ):
        readers = [
            asyncio.create_task(arrivals(socket, side))
            for socket, side in zip((on_a, on_b), sides, strict=True)
        ]
        await registered(a, customer, worker, sides)
        for booking_id in bookings:
            arriving = expect(sides, booking_id, "booking.status_changed")
            started = time.perf_counter()
            await graphql(
                a, ACT, {"b": booking_id, "a": "accept", "v": 1}, token=worker.token
            )
            timings["(mutation response)"].append(
                (time.perf_counter() - started) * 1000
            )
            at_a, at_b = await asyncio.wait_for(asyncio.gather(*arriving), 10)
            timings["same instance (A)"].append((at_a - started) * 1000)
            timings["other instance (B)"].append((at_b - started) * 1000)
        for reader in readers:
            reader.cancel()
    return timings


async def idle_cpu(b: str, pid: int, customer: Party) -> list[tuple[int, float]]:
    """B's idle CPU (share of one core) with each step's number of subscribers."""
    results: list[tuple[int, float]] = []
    async with contextlib.AsyncExitStack() as stack:
        open_now = 0
        for step in SUBSCRIBER_STEPS:
            while open_now < step:
                batch = min(50, step - open_now)
                await asyncio.gather(
                    *(
                        stack.enter_async_context(subscriber(b, customer.token))
                        for _ in range(batch)
                    )
                )
                open_now += batch
            await asyncio.sleep(1)  # let the sign-ins' work settle
            before = cpu_seconds(pid)
            await asyncio.sleep(IDLE_WINDOW_SECONDS)
            share = (cpu_seconds(pid) - before) / IDLE_WINDOW_SECONDS
            results.append((step, share))
            print(f"{step:>12} {share * 100:>10.1f} %", flush=True)
            if share >= IDLE_CPU_LIMIT:
                break
    return results


def report(timings: dict[str, list[float]]) -> None:
    print(f"{TRANSITIONS} transitions through A, mutation sent -> event received")
    print(f"{'subscriber on':>22} {'p50 ms':>8} {'p99 ms':>8} {'max ms':>8}")
    for name, values in timings.items():
        print(
            f"{name:>22} {percentile(values, 50):>8.1f} "
            f"{percentile(values, 99):>8.1f} {max(values):>8.1f}"
        )


async def measure(a: str, b: str, b_pid: int) -> None:
    customer = await sign_up(a, "bench-c@example.nz", "CUSTOMER", PASSWORD)
    worker = await sign_up(a, "bench-w@example.nz", "WORKER", PASSWORD)
    await offer_cleaning(a, worker)
    report(await latencies(a, b, customer, worker))
    print(
        f"\nidle subscribers on B (each its own WebSocket), B's CPU over "
        f"{IDLE_WINDOW_SECONDS:g} s with nothing happening"
    )
    print(f"{'subscribers':>12} {'CPU':>12}")
    steps = await idle_cpu(b, b_pid, customer)
    held = [n for n, share in steps if share < IDLE_CPU_LIMIT]
    print(
        f"held with idle CPU under {IDLE_CPU_LIMIT:.0%}: {max(held)} "
        f"(largest step tried: {steps[-1][0]})"
    )


def start(uri: str, db_name: str, secret: str, log: Path) -> tuple[Process, str]:
    port = free_port()
    env = server_env(uri, db_name, port, GIGSTA_JWT_SECRET=secret)
    base = f"http://127.0.0.1:{port}"
    server = start_ready(
        [sys.executable, "-m", "gigsta", "serve"],
        log,
        http_answers(f"{base}/readyz", status=200),
        what="the server",
        cwd=PROJECT_ROOT,
        env=env,
    )
    return server, base


def run(uri: str, workdir: Path) -> None:
    db_name = f"gigsta_bench_{secrets.token_hex(3)}"
    secret = secrets.token_urlsafe(40)

    async def database(action: str) -> None:
        client: AsyncMongoClient[dict[str, Any]] = AsyncMongoClient(uri, tz_aware=True)
        try:
            if action == "migrate":
                await migrate_up(client[db_name])
            else:
                await client.drop_database(db_name)
        finally:
            await client.close()

    asyncio.run(database("migrate"))
    a, a_base = start(uri, db_name, secret, workdir / "a.log")
    try:
        b, b_base = start(uri, db_name, secret, workdir / "b.log")
        try:
            asyncio.run(measure(a_base, b_base, b.pid))
        finally:
            stop_process(b)
    finally:
        stop_process(a)
        asyncio.run(database("drop"))


def main() -> None:
    with_database(run)


if __name__ == "__main__":
    main()
