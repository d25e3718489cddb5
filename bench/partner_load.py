"""Benchmark: a burst of expensive documents from one client is refused or
throttled before it costs the server a second, and /healthz does not notice.

Against a served process (`python -m gigsta serve` under uvicorn, over TCP)
on a throw-away SecantusDB seeded with 40 workers x 100 bookings, as an admin
(who sees every booking, so the nested lists are full) and as a partner's API
key (its own bucket):

    .venv/bin/python -m bench.partner_load

For each document: one burst of BURST concurrent copies, the answers, the
burst's wall time and the CPU time the server process spent on it (from
/proc, Linux); then /healthz p50/p99/max while another process keeps sending
such bursts for a few seconds.
"""

from __future__ import annotations

import asyncio
import collections
import os
import sys
import time
from pathlib import Path

import httpx

from bench.harness import server_env, with_database
from bench.query_guard import PASSWORD, _json, healthz_under, log_in, seed, send
from scripts.processes import (
    free_port,
    http_answers,
    start_process,
    stop_process,
    wait_until,
)

BURST = 10
ALIASES = 5


def nested_aliases(workers: int, bookings: int) -> str:
    """ALIASES aliases of workers, each with its bookings, each booking with
    its history and parties."""
    one = (
        f"workers(first: {workers}) {{ edges {{ node {{ id name services {{ key }} "
        f"bookings(first: {bookings}) {{ edges {{ node {{ id status "
        "history { action } customer { name } worker { name } } } } } } }"
    )
    return "{ " + " ".join(f"a{i}: {one}" for i in range(ALIASES)) + " }"


DOCUMENTS = {
    # 50,500 objects: past the document limits' bound on objects.
    "5 x 100 workers x 100 bookings": nested_aliases(100, 100),
    # 1,920 objects, within the bounds; cost 5 x (1 + 4 x 7 + 4 x 95 x 10) =
    # 19,145: over the maximum cost.
    "5 x 4 workers x 95 bookings": nested_aliases(4, 95),
    # Cost 5 x (1 + 2 x 7 + 2 x 95 x 10) = 9,575: just under the maximum, so
    # the bucket admits one at a time.
    "5 x 2 workers x 95 bookings": nested_aliases(2, 95),
}


def cpu_seconds(pid: int) -> float:
    """User and system CPU time of a process so far (Linux /proc)."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


async def burst(base: str, token: str, document: str, pid: int) -> str:
    kwargs = _json({"query": document})
    async with httpx.AsyncClient(
        base_url=base, headers={"Authorization": f"Bearer {token}"}, timeout=120
    ) as client:
        cpu = cpu_seconds(pid)
        started = time.perf_counter()
        answers = await asyncio.gather(*(send(client, kwargs) for _ in range(BURST)))
        wall = time.perf_counter() - started
        cpu = cpu_seconds(pid) - cpu
    counts = collections.Counter(answer for answer, _ in answers)
    summary = ", ".join(f"{n} x {answer}" for answer, n in sorted(counts.items()))
    return f"{summary:<36} wall {wall * 1000:7.0f} ms  server CPU {cpu * 1000:6.0f} ms"


async def make_key(base: str, admin: str) -> str:
    async with httpx.AsyncClient(
        base_url=base, headers={"Authorization": f"Bearer {admin}"}, timeout=30
    ) as c:
        made = await c.post(
            "/graphql",
            json={
                "query": 'mutation { createPartner(input: {name: "Bench", '
                "country: NZ}) { partner { id } } }"
            },
        )
        partner = made.json()["data"]["createPartner"]["partner"]["id"]
        key = await c.post(
            "/graphql",
            json={
                "query": "mutation($i: CreateApiKeyInput!) { createApiKey(input: $i) "
                "{ key } }",
                "variables": {
                    "i": {
                        "partnerId": partner,
                        "name": "bench",
                        "scopes": ["WORKERS_READ", "BOOKINGS_READ"],
                    }
                },
            },
        )
        secret: str = key.json()["data"]["createApiKey"]["key"]
        return secret


async def run(base: str, pid: int) -> None:
    admin = await log_in(base)
    callers = {"admin (JWT)": admin, "partner key": await make_key(base, admin)}
    print(f"One burst of {BURST} concurrent requests, each {ALIASES} aliases:")
    for caller, token in callers.items():
        for name, document in DOCUMENTS.items():
            print(
                f"  {caller:<12} {name:<32} {await burst(base, token, document, pid)}"
            )
            await asyncio.sleep(11)  # the bucket refills (10,000 at 1,000/s)
    alone = _json({"query": DOCUMENTS["5 x 2 workers x 95 bookings"]})
    async with httpx.AsyncClient(
        base_url=base, headers={"Authorization": f"Bearer {admin}"}, timeout=120
    ) as client:
        cpu = cpu_seconds(pid)
        answer, ms = await send(client, alone)
        cpu = cpu_seconds(pid) - cpu
    print(f"  (the admitted one alone, as admin: {answer}, {ms:.0f} ms wall, ", end="")
    print(f"server CPU {cpu * 1000:.0f} ms)")
    await asyncio.sleep(11)
    print()
    print("/healthz ms while the admin keeps sending such bursts for 4 s:")
    for name, document in DOCUMENTS.items():
        latencies = await healthz_under(base, _json({"query": document}), admin)
        print(f"  {name:<32} {latencies}")
        await asyncio.sleep(11)


def serve_and_run(uri: str, tmp: Path) -> None:
    db_name = f"gigsta_bench_{os.getpid()}"
    asyncio.run(seed(uri, db_name))
    port = free_port()
    env = server_env(uri, db_name, port, GIGSTA_ADMIN_PASSWORD=PASSWORD)
    start_process(
        [sys.executable, "-m", "gigsta", "create-admin", "--email", "bench@example.nz"],
        tmp / "admin.log",
        env=env,
    ).wait(60)
    base = f"http://127.0.0.1:{port}"
    server = start_process(
        [sys.executable, "-m", "gigsta", "serve"], tmp / "server.log", env=env
    )
    try:
        wait_until(http_answers(f"{base}/readyz", status=200), server, what="server")
        asyncio.run(run(base, server.pid))
    finally:
        stop_process(server)


def main() -> None:
    with_database(serve_and_run)


if __name__ == "__main__":
    main()
