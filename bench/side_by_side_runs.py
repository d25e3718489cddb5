"""The scenarios of `bench.side_by_side`: what each request is, and the runs."""

from __future__ import annotations

import itertools
import os
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import TYPE_CHECKING, Any

import aiohttp
from bson import ObjectId
from pymongo import AsyncMongoClient, ReturnDocument

from bench.harness import cpu_seconds
from bench.load import Call, Figures, run_load, timed_calls

if TYPE_CHECKING:
    from collections.abc import Iterator

    from bench.marketplace import Marketplace

PAGE = """query Page {
  bookings(first: 20) { edges { node {
    id status version
    price { total gstIncluded currency }
    worker { id name }
    availableActions { actionName buttonLabel isCritical }
  } } }
}"""
ACCEPT = """mutation Accept($i: PerformBookingActionInput!) {
  performBookingAction(input: $i) { booking { id status version } errors { code } }
}"""
REQUEST = """mutation Request($i: RequestBookingInput!) {
  requestBooking(input: $i) { booking { id status } errors { code message } }
}"""


@dataclass
class Scenario:
    app: str
    raw: str
    uri: str
    db_name: str
    market: Marketplace
    quick: bool
    # the served app's, the raw endpoint's and the database's processes
    pids: dict[str, int | None] = field(default_factory=dict)
    # the requested bookings not yet accepted by an earlier run
    unused: list[tuple[str, str]] = field(default_factory=list)
    # what the raw endpoint is told to charge for a page: the app's figures
    page_charge: str = ""

    def take(self, count: int) -> list[tuple[str, str]]:
        taken, self.unused = self.unused[:count], self.unused[count:]
        if len(taken) < count:
            raise RuntimeError("not enough requested bookings left to accept")
        return taken

    def sizes(self, concurrency: int, full: int) -> int:
        """Requests for one run: at least a few per client."""
        wanted = full // 10 if self.quick else full
        return max(wanted, 3 * concurrency)


def _bearer(token: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"}


def _global(kind: str, oid: str) -> str:
    import base64  # noqa: PLC0415 - the one place ids are encoded here

    return base64.b64encode(f"{kind}:{oid}".encode()).decode()


def page_calls(market: Marketplace, *, raw: bool, charge: str = "") -> Iterator[Call]:
    for token in itertools.cycle(market.customer_tokens):
        if raw:
            yield "/bookings" + charge, {}, _bearer(token)
        else:
            yield "/graphql", {"query": PAGE}, _bearer(token)


def accept_calls(
    market: Marketplace, bookings: list[tuple[str, str]], *, raw: bool
) -> Iterator[Call]:
    for booking_id, worker_id in bookings:
        headers = _bearer(market.worker_tokens[worker_id])
        if raw:
            yield "/accept", {"bookingId": booking_id}, headers
        else:
            variables = {
                "i": {
                    "bookingId": _global("Booking", booking_id),
                    "action": "accept",
                    "expectedVersion": 2,
                }
            }
            yield "/graphql", {"query": ACCEPT, "variables": variables}, headers


# Every request of the run (all concurrency levels) gets a time of its own: a
# worker's bookings may not overlap, and a refusal would count as a failure.
_REQUEST_SLOTS = itertools.count()


def request_calls(market: Marketplace) -> Iterator[Call]:
    start = (datetime.now(UTC) + timedelta(days=30)).replace(minute=0, second=0)
    workers = list(market.worker_tokens)
    for i, token in enumerate(itertools.cycle(market.customer_tokens)):
        begins = start + timedelta(hours=3 * next(_REQUEST_SLOTS))
        variables = {
            "i": {
                "workerId": _global("Worker", workers[i % len(workers)]),
                "service": "cleaning",
                "description": f"Bench request {i}",
                "scheduledStart": begins.isoformat(),
                "scheduledEnd": (begins + timedelta(hours=2)).isoformat(),
                "paymentMethodId": "pm_card_visa",
            }
        }
        yield "/graphql", {"query": REQUEST, "variables": variables}, _bearer(token)


def _ok_page(payload: dict[str, Any]) -> bool:
    return not payload.get("errors") and len(payload["data"]["bookings"]["edges"]) > 0


def _ok_mutation(name: str) -> Any:
    def ok(payload: dict[str, Any]) -> bool:
        return not payload.get("errors") and not payload["data"][name]["errors"]

    return ok


async def same_answers(scenario: Scenario) -> None:
    """The app and the raw endpoint, charging or not, answer the page with the
    same JSON; the raw endpoint is then told to charge what the app did."""
    path, body, headers = next(page_calls(scenario.market, raw=False))
    async with aiohttp.ClientSession() as session:
        async with session.post(scenario.app + path, json=body, headers=headers) as a:
            app_answer = await a.json()
        # The app also reports the query's cost (`extensions.cost`); the data
        # must be the same.
        cost = app_answer["extensions"]["cost"]
        throttle = cost["throttleStatus"]
        charge = (
            f"?cost={cost['requestedQueryCost']}"
            f"&capacity={throttle['maximumAvailable']}"
            f"&rate={throttle['restoreRate']}"
        )
        for raw_path in ("/bookings", "/bookings" + charge):
            async with session.post(scenario.raw + raw_path, headers=headers) as r:
                raw_answer = await r.json()
            if app_answer["data"] != raw_answer["data"]:
                raise RuntimeError(f"different answers:\n{app_answer}\n{raw_answer}")
    scenario.page_charge = charge


def _row(name: str, concurrency: int, figures: Figures) -> dict[str, Any]:
    return {"scenario": name, "concurrency": concurrency, **figures.as_dict()}


def _ok_raw_page(payload: dict[str, Any]) -> bool:
    return len(payload["data"]["bookings"]["edges"]) > 0


async def _page_load(
    scenario: Scenario, concurrency: int, count: int, *, raw: bool, charge: str = ""
) -> tuple[Figures, dict[str, float]]:
    """The figures of `count` page requests to the app or the raw endpoint,
    and the CPU milliseconds per request each process spent on them (this
    load generator included)."""
    pids = {**scenario.pids, "generator": os.getpid()}
    before = {name: cpu_seconds(pid) for name, pid in pids.items()}
    figures = await run_load(
        scenario.raw if raw else scenario.app,
        page_calls(scenario.market, raw=raw, charge=charge),
        requests=count,
        concurrency=concurrency,
        ok=_ok_raw_page if raw else _ok_page,
    )
    spent = {}
    for name, pid in pids.items():
        start, end = before[name], cpu_seconds(pid)
        if start is not None and end is not None:
            spent[f"cpu_ms_{name}"] = round((end - start) * 1000 / count, 2)
    return figures, spent


async def pages(scenario: Scenario, concurrency: int) -> list[dict[str, Any]]:
    count = scenario.sizes(concurrency, 600)
    app, app_cpu = await _page_load(scenario, concurrency, count, raw=False)
    raw, raw_cpu = await _page_load(scenario, concurrency, count, raw=True)
    charged, charged_cpu = await _page_load(
        scenario, concurrency, count, raw=True, charge=scenario.page_charge
    )
    return [
        _row("bookings(first:20) app", concurrency, app)
        | {"ratio": app.per_second / raw.per_second}
        | app_cpu,
        _row("bookings(first:20) raw endpoint", concurrency, raw) | raw_cpu,
        # The ratio on this row is the app's against it.
        _row("bookings(first:20) raw + charge", concurrency, charged)
        | {"ratio": app.per_second / charged.per_second}
        | charged_cpu,
    ]


async def accepts(
    scenario: Scenario, concurrency: int, db: Any
) -> list[dict[str, Any]]:
    count = scenario.sizes(concurrency, 150)
    market = scenario.market
    app = await run_load(
        scenario.app,
        accept_calls(market, scenario.take(count), raw=False),
        requests=count,
        concurrency=concurrency,
        ok=_ok_mutation("performBookingAction"),
    )
    raw = await run_load(
        scenario.raw,
        accept_calls(market, scenario.take(count), raw=True),
        requests=count,
        concurrency=concurrency,
        ok=lambda p: "status" in p,
    )
    ceiling = await raw_ceiling(db, scenario.take(count), concurrency)
    fam = await find_and_modify_ceiling(db, scenario.take(count), concurrency)
    return [
        _row("accept app", concurrency, app)
        | {"ratio": app.per_second / ceiling.per_second},
        _row("accept raw endpoint", concurrency, raw),
        _row("accept ceiling: update+event txn", concurrency, ceiling),
        _row("accept ceiling: findAndModify", concurrency, fam),
    ]


async def raw_ceiling(
    db: Any, bookings: list[tuple[str, str]], concurrency: int
) -> Figures:
    """The conditional update and its event in one transaction, from here."""
    client = db.client

    async def accept(i: int) -> None:
        oid = ObjectId(bookings[i][0])
        now = datetime.now(UTC)
        async with (
            client.start_session() as session,
            await session.start_transaction(),
        ):
            done = await db["bookings"].update_one(
                {"_id": oid, "version": 2, "status": "requested"},
                {"$set": {"status": "accepted"}, "$inc": {"version": 1}},
                session=session,
            )
            assert done.modified_count == 1
            await db["events"].insert_one(
                {"booking_id": oid, "at": now}, session=session
            )

    return await timed_calls(accept, requests=len(bookings), concurrency=concurrency)


async def find_and_modify_ceiling(
    db: Any, bookings: list[tuple[str, str]], concurrency: int
) -> Figures:
    """The same conditional update as one `findAndModify`, no event."""

    async def accept(i: int) -> None:
        done = await db["bookings"].find_one_and_update(
            {"_id": ObjectId(bookings[i][0]), "version": 2, "status": "requested"},
            {"$set": {"status": "accepted"}, "$inc": {"version": 1}},
            return_document=ReturnDocument.AFTER,
        )
        assert done is not None

    return await timed_calls(accept, requests=len(bookings), concurrency=concurrency)


async def requests(scenario: Scenario, concurrency: int) -> list[dict[str, Any]]:
    figures = await run_load(
        scenario.app,
        request_calls(scenario.market),
        requests=scenario.sizes(concurrency, 100),
        concurrency=concurrency,
        ok=_ok_mutation("requestBooking"),
    )
    return [_row("requestBooking app", concurrency, figures)]


async def measure_all(
    scenario: Scenario, levels: tuple[int, ...]
) -> list[dict[str, Any]]:
    scenario.unused = list(scenario.market.requested)
    await same_answers(scenario)
    client: AsyncMongoClient[dict[str, Any]] = AsyncMongoClient(
        scenario.uri, tz_aware=True
    )
    rows: list[dict[str, Any]] = []
    try:
        db = client[scenario.db_name]
        for concurrency in levels:
            rows += await pages(scenario, concurrency)
        for concurrency in levels:
            rows += await accepts(scenario, concurrency, db)
        for concurrency in levels:
            rows += await requests(scenario, concurrency)
    finally:
        await client.close()
    return rows
