"""Benchmark: the served GraphQL app against a minimal hand-written endpoint.

One process tree, one run: a throw-away SecantusDB (or MONGODB_URI) and
localstripe; the marketplace of `bench.marketplace` (5,000 bookings, 50
workers, 200 customers); the app as production runs it (`python -m gigsta
serve`, uvicorn with uvloop and httptools) and `bench.raw_endpoint` on the same
database. A bounded async load generator then measures, at concurrency 1, 10
and 50, requests per second and p50/p99 latency of

- a customer's page of 20 bookings (price, worker, available actions), app
  and raw endpoint, and their ratio (the two answers are checked equal first);
  and the raw endpoint again, charging each page to the caller's shared
  query-cost bucket as the app does (`raw + charge`; the ratio on that row is
  the app's against it);
- the worker's `accept` transition, app and raw endpoint, and the raw ceiling:
  the same conditional update and event written straight from this process
  (and, for comparison, as one `findAndModify` without the event);
- `requestBooking` with a card held at the Stripe stand-in (app only).

Prints a table and writes the figures as JSON (BENCH_JSON, default
`.data/bench/side_by_side.json`), so a change can be compared before and after.
BENCH_QUICK=1 sends a tenth of the requests: indicative only, e.g. on a busy
machine.

    make bench            # or: .venv/bin/python -m bench.side_by_side
"""

from __future__ import annotations

import asyncio
import json
import os
import secrets
import sys
from pathlib import Path
from typing import Any

from pymongo import AsyncMongoClient

from bench.harness import database_pid, server_env, with_database
from bench.marketplace import Marketplace, seed
from bench.side_by_side_runs import Scenario, measure_all
from scripts.migrate import migrate_up
from scripts.processes import (
    free_port,
    http_answers,
    start_process,
    stop_process,
    wait_until,
)
from scripts.standins.stripe import TEST_SECRET_KEY, start_localstripe

QUICK = os.environ.get("BENCH_QUICK", "") not in ("", "0")
CONCURRENCY = (1, 10, 50)
OUTPUT = Path(os.environ.get("BENCH_JSON", ".data/bench/side_by_side.json"))


async def _seed(uri: str, db_name: str, secret: str) -> Marketplace:
    raw: AsyncMongoClient[dict[str, Any]] = AsyncMongoClient(uri, tz_aware=True)
    try:
        await migrate_up(raw[db_name])
        return await seed(raw[db_name], secret)
    finally:
        await raw.close()


CPU_COLUMNS = ("app", "raw", "database", "generator")


def _print_table(rows: list[dict[str, Any]]) -> None:
    print(
        f"{'scenario':<34} {'conc':>4} {'req/s':>8} {'p50 ms':>8} {'p99 ms':>8} "
        f"{'fail':>5} {'ratio':>6}   CPU ms a request: "
        + " ".join(f"{name:>9}" for name in CPU_COLUMNS)
    )
    for row in rows:
        ratio = f"{row['ratio']:.2f}" if row.get("ratio") is not None else ""
        cpu = " ".join(
            f"{row[f'cpu_ms_{name}']:>9.2f}" if f"cpu_ms_{name}" in row else " " * 9
            for name in CPU_COLUMNS
        )
        print(
            f"{row['scenario']:<34} {row['concurrency']:>4} {row['per_second']:>8.1f} "
            f"{row['p50_ms']:>8.1f} {row['p99_ms']:>8.1f} {row['failures']:>5} "
            f"{ratio:>6}   {' ' * 18}{cpu}"
        )


def serve_and_run(uri: str, workdir: Path) -> None:
    db_name = f"gigsta_bench_{secrets.token_hex(3)}"
    secret = secrets.token_urlsafe(40)
    market = asyncio.run(_seed(uri, db_name, secret))
    stripe, stripe_url = start_localstripe(workdir / "localstripe.log")
    app_port, raw_port = free_port(), free_port()
    app_env = server_env(uri, db_name, app_port, GIGSTA_JWT_SECRET=secret)
    app_env |= {"STRIPE_SECRET_KEY": TEST_SECRET_KEY, "STRIPE_API_BASE": stripe_url}
    raw_env = server_env(uri, db_name, raw_port, GIGSTA_JWT_SECRET=secret)
    app = start_process(
        [sys.executable, "-m", "gigsta", "serve"], workdir / "app.log", env=app_env
    )
    raw = start_process(
        [sys.executable, "-m", "bench.raw_endpoint"], workdir / "raw.log", env=raw_env
    )
    try:
        for proc, port in ((app, app_port), (raw, raw_port)):
            url = f"http://127.0.0.1:{port}/healthz"
            wait_until(http_answers(url, status=200), proc, what="server")
        scenario = Scenario(
            app=f"http://127.0.0.1:{app_port}",
            raw=f"http://127.0.0.1:{raw_port}",
            uri=uri,
            db_name=db_name,
            market=market,
            quick=QUICK,
            pids={"app": app.pid, "raw": raw.pid, "database": database_pid(uri)},
        )
        rows = asyncio.run(measure_all(scenario, CONCURRENCY))
    finally:
        stop_process(app)
        stop_process(raw)
        stop_process(stripe)
    _print_table(rows)
    OUTPUT.parent.mkdir(parents=True, exist_ok=True)
    OUTPUT.write_text(
        json.dumps({"quick": QUICK, "cpus": os.cpu_count(), "rows": rows}, indent=2)
    )
    print(
        f"\nwritten to {OUTPUT}" + (" (quick mode: indicative only)" if QUICK else "")
    )


def main() -> None:
    with_database(serve_and_run)


if __name__ == "__main__":
    main()
