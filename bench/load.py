"""A bounded async load generator: `concurrency` clients, each sending its
next request as soon as its previous one is answered, until `requests` were
sent. aiohttp rather than httpx: its client costs the shared CPUs less, so more
of them go to the servers under test."""

from __future__ import annotations

import asyncio
import itertools
import statistics
import time
from dataclasses import asdict, dataclass
from typing import TYPE_CHECKING, Any

import aiohttp

if TYPE_CHECKING:
    from collections.abc import Callable, Iterator


@dataclass(frozen=True)
class Figures:
    """One run: requests per second, latency percentiles (ms), failures."""

    requests: int
    per_second: float
    p50_ms: float
    p99_ms: float
    failures: int

    def as_dict(self) -> dict[str, Any]:
        return asdict(self)


# A request: (path, JSON body, headers); `ok` says whether an answer is a success.
Call = tuple[str, dict[str, Any], dict[str, str]]


def percentile(values: list[float], q: float) -> float:
    """The q-th percentile (nearest rank) of `values`."""
    ordered = sorted(values)
    rank = max(0, min(len(ordered) - 1, round(q / 100 * len(ordered)) - 1))
    return ordered[rank]


def _figures(latencies: list[float], elapsed: float, failures: int) -> Figures:
    return Figures(
        requests=len(latencies),
        per_second=len(latencies) / elapsed,
        p50_ms=statistics.median(latencies),
        p99_ms=percentile(latencies, 99),
        failures=failures,
    )


async def run_load(
    base: str,
    calls: Iterator[Call],
    *,
    requests: int,
    concurrency: int,
    ok: Callable[[dict[str, Any]], bool],
) -> Figures:
    """Send `requests` of `calls` with `concurrency` in flight at once."""
    latencies: list[float] = []
    failures = 0
    budget = itertools.islice(calls, requests)
    connector = aiohttp.TCPConnector(limit=concurrency)
    timeout = aiohttp.ClientTimeout(total=300)
    async with aiohttp.ClientSession(
        base, connector=connector, timeout=timeout
    ) as session:

        async def client() -> None:
            nonlocal failures
            for path, body, headers in budget:
                started = time.perf_counter()
                async with session.post(path, json=body, headers=headers) as answer:
                    payload = await answer.json(content_type=None)
                latencies.append((time.perf_counter() - started) * 1000)
                if answer.status != 200 or not ok(payload):
                    failures += 1

        started = time.perf_counter()
        await asyncio.gather(*(client() for _ in range(concurrency)))
        elapsed = time.perf_counter() - started
    return _figures(latencies, elapsed, failures)


async def timed_calls(
    work: Callable[[int], Any], *, requests: int, concurrency: int
) -> Figures:
    """The same figures for `work(i)` coroutines run in this process (the raw
    database ceiling: no HTTP, no server)."""
    latencies: list[float] = []
    numbers = iter(range(requests))

    async def worker() -> None:
        for i in numbers:
            started = time.perf_counter()
            await work(i)
            latencies.append((time.perf_counter() - started) * 1000)

    started = time.perf_counter()
    await asyncio.gather(*(worker() for _ in range(concurrency)))
    return _figures(latencies, time.perf_counter() - started, 0)
