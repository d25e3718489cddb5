"""The fault matrix: each dependency is taken away and brought back while a
client loop runs against the served app (`python -m gigsta serve`, over TCP).

Every dependency is its own child process, restarted on the same port: the
database on a store on disk (so its data outlives the process), localstripe,
moto's S3 and the Addressable stand-in. For each outage the loop's answers must
show that

- the features that do not need the missing dependency keep answering;
- the ones that do answer at once with their coded `*_UNAVAILABLE` error;
- once the dependency is back, everything works again, with the same server;
- every booking the client was told about is still there, with its status,
  version, history and payment state (for the database: after a clean stop
  and after a SIGKILL).

Durations are recorded for the report in `FAULT_REPORT` (set it to a file
path) and asserted only with a generous bound: outages used to last the
driver's or the client library's own timeouts (5 to 20 s).
"""

from __future__ import annotations

import asyncio
import contextlib
import itertools
import json
import os
import signal
import time
from collections.abc import AsyncIterator, Awaitable, Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import httpx
import pytest
from pymongo import AsyncMongoClient

from scripts.migrate import migrate_up
from scripts.processes import (
    Process,
    free_port,
    stop_process,
)
from scripts.standins.addressable import DEMO_API_KEY, start_addressable
from scripts.standins.mongo import start_mongo
from scripts.standins.s3 import (
    LOCAL_ACCESS_KEY_ID,
    LOCAL_SECRET_ACCESS_KEY,
    create_bucket,
    start_s3,
)
from scripts.standins.stripe import TEST_SECRET_KEY, start_localstripe
from tests.fixtures_stripe import make_event, sign
from tests.served_app import ServedApp, serve

BUCKET = "gigsta-faults"
# A request the app should fail fast takes about 1.5 s (the database's 1 s
# server selection timeout and the driver's polling); this bound only has to
# catch the old behaviour (5 s, 20 s) without tripping on a busy machine.
FAIL_FAST_SECONDS = 3.0
# No request of the loop may take longer than this: nothing hangs.
CLIENT_TIMEOUT_SECONDS = 15.0
# Full rounds of the loop to see while the dependency is away, and after.
ROUNDS = 1
PHASE_DEADLINE_SECONDS = 90.0


class OutageNotHandledError(AssertionError):
    """An affected feature did not fail fast with its coded error."""


# --- The stack: every dependency a child process on a fixed port ------------


@dataclass
class Dependency:
    name: str
    start: Callable[[int], Process]
    port: int = field(default_factory=free_port)
    proc: Process | None = None

    def up(self) -> None:
        self.proc = self.start(self.port)

    def down(self, *, kill: bool = False) -> None:
        assert self.proc is not None
        if kill:
            self.proc.send_signal(signal.SIGKILL)
            self.proc.wait()
        else:
            stop_process(self.proc)
        self.proc = None


@dataclass
class Stack:
    app: ServedApp
    deps: dict[str, Dependency]
    customer: str = ""
    worker: str = ""
    worker_id: str = ""


def _dependencies(tmp: Path) -> dict[str, Dependency]:
    def database(port: int) -> Process:
        return start_mongo(str(tmp / "db"), tmp / "db.log", port=port)[0]

    def stripe(port: int) -> Process:
        return start_localstripe(tmp / "stripe.log", port=port)[0]

    def s3(port: int) -> Process:
        proc, endpoint = start_s3(tmp / "s3.log", port=port)
        # moto keeps objects in memory; R2's bucket outlives any outage.
        create_bucket(endpoint, BUCKET)
        return proc

    def addressable(port: int) -> Process:
        return start_addressable(tmp / "addressable.log", port=port)[0]

    return {
        "database": Dependency("database", database),
        "stripe": Dependency("stripe", stripe),
        "s3": Dependency("s3", s3),
        "addressable": Dependency("addressable", addressable),
    }


WEBHOOK_SECRET = "whsec_faults_" + "f" * 20


def _server_env(deps: dict[str, Dependency]) -> dict[str, str]:
    def url(name: str) -> str:
        return f"http://127.0.0.1:{deps[name].port}"

    return {
        "MONGODB_URI": f"mongodb://127.0.0.1:{deps['database'].port}/"
        "?directConnection=true",
        "MONGODB_DB": "gigsta_faults",
        "STRIPE_SECRET_KEY": TEST_SECRET_KEY,
        "STRIPE_WEBHOOK_SECRET": WEBHOOK_SECRET,
        "STRIPE_API_BASE": url("stripe"),
        "ADDRESSABLE_API_KEY": DEMO_API_KEY,
        "ADDRESSABLE_BASE_URL": url("addressable"),
        # Every lookup reaches the stand-in, so the outage is seen.
        "ADDRESSABLE_CACHE_SIZE": "0",
        "GIGSTA_ADDRESS_LOOKUPS_PER_MINUTE": "100000",
        # One account stands for many clients polling at once: no throttling.
        "GIGSTA_QUERY_COST_RESTORE_RATE": "10000000",
        "R2_ENDPOINT_URL": url("s3"),
        "R2_BUCKET": BUCKET,
        "R2_ACCESS_KEY_ID": LOCAL_ACCESS_KEY_ID,
        "R2_SECRET_ACCESS_KEY": LOCAL_SECRET_ACCESS_KEY,
    }


async def _migrate(port: int) -> None:
    client: AsyncMongoClient[dict[str, Any]] = AsyncMongoClient(
        f"mongodb://127.0.0.1:{port}/?directConnection=true", tz_aware=True
    )
    try:
        await migrate_up(client["gigsta_faults"])
    finally:
        await client.close()


@pytest.fixture(scope="module")
async def stack(
    tmp_path_factory: pytest.TempPathFactory, project_root: Path
) -> AsyncIterator[Stack]:
    tmp = tmp_path_factory.mktemp("faults")
    deps = _dependencies(tmp)
    app: ServedApp | None = None
    try:
        for dep in deps.values():
            dep.up()
        await _migrate(deps["database"].port)
        app = serve(project_root, tmp / "server.log", _server_env(deps))
        customer, _ = app.sign_up("c@faults.nz", "CUSTOMER")
        worker, viewer = app.sign_up("w@faults.nz", "WORKER")
        app.offer_cleaning(worker)
        yield Stack(app, deps, customer, worker, viewer["worker"]["id"])
    finally:
        if app is not None:
            stop_process(app.proc)
        for dep in deps.values():
            if dep.proc is not None:
                stop_process(dep.proc)


# --- The client loop ---------------------------------------------------------

OK = "ok"
# A booking can be accepted only once one was made: while bookings are refused
# there may be nothing to accept, which is not a failure.
NOTHING_TO_ACCEPT = "nothing to accept"
BOOKING_FIELDS = "id status version history { action } payment { status }"
REQUEST = f"""mutation($i: RequestBookingInput!) {{ requestBooking(input: $i) {{
    booking {{ {BOOKING_FIELDS} }} errors {{ code message }} }} }}"""
ACCEPT = f"""mutation($i: PerformBookingActionInput!) {{
    performBookingAction(input: $i) {{
    booking {{ {BOOKING_FIELDS} }} errors {{ code message }} }} }}"""
MY_BOOKINGS = (
    f"{{ bookings(first: 100) {{ edges {{ node {{ {BOOKING_FIELDS} }} }} }} }}"
)
CREATE_UPLOAD = """mutation($i: CreateUploadInput!) { createUpload(input: $i) {
    uploadUrl key headers { name value } errors { code message } } }"""
COMPLETE_UPLOAD = """mutation($k: String!) { completeUpload(key: $k) {
    attachment { id } errors { code message } } }"""
PNG = b"\x89PNG\r\n\x1a\n" + b"\0" * 56


def _snapshot(booking: dict[str, Any]) -> dict[str, Any]:
    """What the client was told about a booking, to find again later."""
    return {
        "status": booking["status"],
        "version": booking["version"],
        "history": [e["action"] for e in booking["history"]],
        "payment": (booking["payment"] or {}).get("status"),
    }


def _outcome(  # noqa: PLR0911 - one return per kind of answer
    response: httpx.Response, payload: str | None
) -> tuple[str, Any]:
    """`ok` and the payload, or what went wrong: an HTTP status, the code of a
    GraphQL error, or the first `UserError` code in the payload."""
    try:
        body = response.json()
    except ValueError:
        body = None
    if response.status_code >= 500:
        # A coded outage answer (503 with `errors`) counts by its code.
        if isinstance(body, dict) and body.get("errors"):
            code = body["errors"][0].get("extensions", {}).get("code")
            if code and code != "INTERNAL":
                return code, None
        return f"HTTP {response.status_code}", None
    if body is None:
        return "non-JSON", None
    if body.get("errors"):
        return body["errors"][0].get("extensions", {}).get("code", "no code"), None
    data = body["data"]
    if payload is None:
        return OK, data
    result = data[payload]
    if result["errors"]:
        return result["errors"][0]["code"], result
    return OK, result


@dataclass
class Sample:
    feature: str
    phase_started: str
    phase_ended: str
    outcome: str
    seconds: float


_BOOKING_SLOTS = itertools.count(1)


@dataclass
class ClientLoop:
    """Runs every feature, round after round, until stopped; tags each answer
    with the phase of the outage at its start and at its end."""

    stack: Stack
    client: httpx.AsyncClient
    phase: str = "before"
    samples: list[Sample] = field(default_factory=list)
    rounds: list[tuple[str, str]] = field(default_factory=list)
    acknowledged: dict[str, dict[str, Any]] = field(default_factory=dict)
    in_doubt: dict[str, dict[str, Any]] = field(default_factory=dict)
    this_round: set[str] = field(default_factory=set)
    stopping: bool = False
    slot: int = 0

    async def gql(
        self, query: str, variables: dict[str, Any], token: str | None
    ) -> httpx.Response:
        headers = {} if token is None else {"Authorization": f"Bearer {token}"}
        return await self.client.post(
            "/graphql", json={"query": query, "variables": variables}, headers=headers
        )

    # Each feature returns its outcome.

    async def health(self) -> str:
        response = await self.client.get("/healthz")
        return OK if response.status_code == 200 else f"HTTP {response.status_code}"

    async def ready(self) -> str:
        response = await self.client.get("/readyz")
        return OK if response.status_code == 200 else f"HTTP {response.status_code}"

    async def catalogue(self) -> str:
        # Anonymous: a signed-in request needs the database for its token.
        response = await self.gql("{ services { key } }", {}, None)
        return _outcome(response, None)[0]

    async def signed_in_catalogue(self) -> str:
        response = await self.gql("{ services { key } }", {}, self.stack.customer)
        return _outcome(response, None)[0]

    async def viewer(self) -> str:
        response = await self.gql("{ viewer { id } }", {}, self.stack.customer)
        return _outcome(response, None)[0]

    async def bookings(self) -> str:
        response = await self.gql(MY_BOOKINGS, {}, self.stack.customer)
        return _outcome(response, None)[0]

    async def book(self) -> str:
        # Slots are numbered across every loop of the module (its rows share
        # one worker), so no request overlaps an earlier one's time.
        self.slot = next(_BOOKING_SLOTS)
        start = datetime.now(UTC).replace(microsecond=0) + timedelta(
            days=2, hours=self.slot
        )
        variables = {
            "i": {
                "workerId": self.stack.worker_id,
                "service": "cleaning",
                "description": f"Fault matrix booking {self.slot}",
                "scheduledStart": start.isoformat(),
                "scheduledEnd": (start + timedelta(minutes=30)).isoformat(),
                "paymentMethodId": "pm_card_visa",
            }
        }
        response = await self.gql(REQUEST, variables, self.stack.customer)
        outcome, payload = _outcome(response, "requestBooking")
        if outcome == OK:
            booking = payload["booking"]
            self.acknowledged[booking["id"]] = _snapshot(booking)
            self.this_round.add(booking["id"])
        return outcome

    async def accept(self) -> str:
        # Only a request from an earlier round is accepted, so there is one to
        # accept while new requests are refused.
        waiting = [
            (booking_id, seen)
            for booking_id, seen in self.acknowledged.items()
            if seen["status"] == "REQUESTED"
            and booking_id not in self.this_round
            and booking_id not in self.in_doubt
        ]
        if not waiting:
            return NOTHING_TO_ACCEPT
        booking_id, seen = waiting[0]
        variables = {
            "i": {
                "bookingId": booking_id,
                "action": "accept",
                "expectedVersion": seen["version"],
            }
        }
        response = await self.gql(ACCEPT, variables, self.stack.worker)
        outcome, payload = _outcome(response, "performBookingAction")
        if outcome == OK:
            accepted = _snapshot(payload["booking"])
            # Workers do not see the customer's payment, and accepting leaves
            # it as it was.
            accepted["payment"] = seen["payment"]
            self.acknowledged[booking_id] = accepted
        else:
            # Not acknowledged, but perhaps applied just before the database
            # went away: either state is right, and we act on it no more.
            self.in_doubt[booking_id] = {
                **seen,
                "status": "ACCEPTED",
                "version": seen["version"] + 1,
                "history": [*seen["history"], "accept"],
            }
        return outcome

    async def address(self) -> str:
        response = await self.gql(
            """{ addressSuggestions(query: "queen street", country: NZ) {
                 token } }""",
            {},
            self.stack.customer,
        )
        outcome, data = _outcome(response, None)
        if outcome == OK and not data["addressSuggestions"]:
            return "no suggestions"
        return outcome

    async def upload(self) -> str:
        response = await self.gql(
            CREATE_UPLOAD,
            {
                "i": {
                    "purpose": "WORKER_AVATAR",
                    "contentType": "image/png",
                    "sizeBytes": len(PNG),
                    "filename": "me.png",
                }
            },
            self.stack.worker,
        )
        outcome, created = _outcome(response, "createUpload")
        if outcome != OK:
            return outcome
        headers = {h["name"]: h["value"] for h in created["headers"]}
        headers.pop("Content-Length", None)
        # While the store is away this PUT fails; completing must say so.
        with contextlib.suppress(httpx.TransportError):
            await self.client.put(created["uploadUrl"], content=PNG, headers=headers)
        response = await self.gql(
            COMPLETE_UPLOAD, {"k": created["key"]}, self.stack.worker
        )
        return _outcome(response, "completeUpload")[0]

    async def webhook(self) -> str:
        """A new, signed Stripe event about an intent no booking holds: it is
        recorded once (which needs the database) and acknowledged."""
        event = make_event(
            "payment_intent.succeeded",
            {"id": f"pi_faults_{len(self.samples)}", "object": "payment_intent"},
        )
        payload = json.dumps(event).encode()
        response = await self.client.post(
            "/webhooks/stripe",
            content=payload,
            headers={"Stripe-Signature": sign(payload, WEBHOOK_SECRET)},
        )
        return OK if response.status_code == 200 else f"HTTP {response.status_code}"

    def features(self) -> dict[str, Callable[[], Awaitable[str]]]:
        return {
            "health": self.health,
            "ready": self.ready,
            "catalogue": self.catalogue,
            "signed_in_catalogue": self.signed_in_catalogue,
            "viewer": self.viewer,
            "bookings": self.bookings,
            "book": self.book,
            "accept": self.accept,
            "address": self.address,
            "upload": self.upload,
            "webhook": self.webhook,
        }

    async def sample(self, name: str, feature: Callable[[], Awaitable[str]]) -> None:
        started, clock = self.phase, time.perf_counter()
        try:
            outcome = await feature()
        except httpx.TransportError as exc:
            outcome = f"transport error ({type(exc).__name__})"
        self.samples.append(
            Sample(name, started, self.phase, outcome, time.perf_counter() - clock)
        )

    async def run(self) -> None:
        """Round after round, every feature at once, as many clients would."""
        while not self.stopping:
            round_started = self.phase
            self.this_round.clear()
            await asyncio.gather(
                *(self.sample(name, f) for name, f in self.features().items())
            )
            self.rounds.append((round_started, self.phase))

    async def full_rounds(self, phase: str, count: int) -> None:
        """Wait until `count` rounds have run wholly within `phase`."""
        deadline = time.monotonic() + PHASE_DEADLINE_SECONDS
        while self.rounds.count((phase, phase)) < count:
            assert time.monotonic() < deadline, f"the loop stalled in {phase!r}"
            await asyncio.sleep(0.05)

    def within(self, phase: str) -> list[Sample]:
        return [s for s in self.samples if s.phase_started == s.phase_ended == phase]


async def _all_bookings(stack: Stack) -> dict[str, dict[str, Any]]:
    async with httpx.AsyncClient(base_url=stack.app.base, timeout=30) as client:
        response = await client.post(
            "/graphql",
            json={"query": MY_BOOKINGS},
            headers={"Authorization": f"Bearer {stack.customer}"},
        )
    outcome, data = _outcome(response, None)
    assert outcome == OK, response.text
    return {
        edge["node"]["id"]: _snapshot(edge["node"])
        for edge in data["bookings"]["edges"]
    }


# --- The matrix --------------------------------------------------------------


@dataclass(frozen=True)
class Row:
    """One outage: which dependency, how it goes, and what the features it
    takes away must answer instead."""

    dependency: str
    affected: dict[str, str]
    kill: bool = False
    # Further answers that are right while the dependency stops or starts.
    while_changing: frozenset[str] = frozenset()


DATABASE_DOWN = {
    "ready": "HTTP 503",
    # Stripe retries a 5xx; the event is applied once the database is back.
    "webhook": "HTTP 503",
    **dict.fromkeys(
        (
            "signed_in_catalogue",
            "viewer",
            "bookings",
            "book",
            "accept",
            "address",
            "upload",
        ),
        "DATABASE_UNAVAILABLE",
    ),
}
ROWS = {
    "database": Row("database", DATABASE_DOWN),
    "database-sigkill": Row("database", DATABASE_DOWN, kill=True),
    "stripe": Row("stripe", {"book": "PAYMENTS_UNAVAILABLE"}),
    # moto keeps objects in memory: an object PUT just before it stopped is
    # gone after its restart, so completing that upload is UPLOAD_NOT_FOUND
    # (R2 keeps the object).
    "s3": Row(
        "s3",
        {"upload": "FILE_STORAGE_UNAVAILABLE"},
        while_changing=frozenset({"UPLOAD_NOT_FOUND"}),
    ),
    "addressable": Row("addressable", {"address": "ADDRESS_LOOKUP_UNAVAILABLE"}),
}


def _report(row_id: str, loop: ClientLoop) -> None:
    path = os.environ.get("FAULT_REPORT")
    if not path:
        return
    lines = []
    for phase in ("down", "after"):
        seen: dict[str, set[str]] = {}
        slowest: dict[str, float] = {}
        for sample in loop.within(phase):
            seen.setdefault(sample.feature, set()).add(sample.outcome)
            slowest[sample.feature] = max(
                slowest.get(sample.feature, 0.0), sample.seconds
            )
        lines.append(
            {
                "row": row_id,
                "phase": phase,
                "seen": {k: sorted(v) for k, v in seen.items()},
                "slowest_seconds": {k: round(v, 2) for k, v in slowest.items()},
            }
        )
    with Path(path).open("a") as report:
        report.writelines(json.dumps(line) + "\n" for line in lines)


@pytest.mark.parametrize(
    "row_id",
    [
        "database",
        "database-sigkill",
        "stripe",
        "s3",
        "addressable",
    ],
)
async def test_an_outage_and_its_recovery(stack: Stack, row_id: str) -> None:
    row = ROWS[row_id]
    dependency = stack.deps[row.dependency]
    log_lines_before = len(stack.app.log_entries())
    async with httpx.AsyncClient(
        base_url=stack.app.base, timeout=CLIENT_TIMEOUT_SECONDS
    ) as client:
        loop = ClientLoop(stack, client)
        task = asyncio.create_task(loop.run())
        try:
            await loop.full_rounds("before", 1)
            loop.phase = "stopping"
            await asyncio.to_thread(dependency.down, kill=row.kill)
            loop.phase = "down"
            await loop.full_rounds("down", ROUNDS)
            loop.phase = "starting"
            await asyncio.to_thread(dependency.up)
            loop.phase = "after"
            await loop.full_rounds("after", ROUNDS)
        finally:
            loop.stopping = True
            await task
    _report(row_id, loop)

    def failures(samples: list[Sample], allowed: set[str]) -> list[Sample]:
        return [s for s in samples if s.outcome not in allowed]

    # Before the outage everything works, which makes the rest meaningful.
    assert failures(loop.within("before"), {OK, NOTHING_TO_ACCEPT}) == []
    down = loop.within("down")
    unaffected = [s for s in down if s.feature not in row.affected]
    assert failures(unaffected, {OK, NOTHING_TO_ACCEPT}) == []
    # Once the dependency is back, every feature works with the same server.
    assert failures(loop.within("after"), {OK, NOTHING_TO_ACCEPT}) == []
    # Nothing hung, even across the stop and the start.
    assert not [s for s in loop.samples if s.outcome.startswith("transport")]
    # Every booking the client was told about is there as it was told.
    stored = await _all_bookings(stack)
    lost = {
        booking_id: (seen, stored.get(booking_id))
        for booking_id, seen in loop.acknowledged.items()
        if stored.get(booking_id) not in (seen, loop.in_doubt.get(booking_id))
    }
    assert lost == {}
    assert any(s.feature == "book" for s in down)

    affected = [s for s in down if s.feature in row.affected]
    wrong = [
        (s.feature, s.outcome)
        for s in affected
        if s.outcome not in {row.affected[s.feature], NOTHING_TO_ACCEPT}
    ]
    if wrong:
        raise OutageNotHandledError(f"expected {row.affected}, saw {wrong}")
    slow = [s for s in affected if s.seconds > FAIL_FAST_SECONDS]
    if slow:
        raise OutageNotHandledError(
            f"slow failures: {[(s.feature, round(s.seconds, 2)) for s in slow]}"
        )
    # Answers given while the dependency was stopping or starting are either
    # right or the coded error, never a masked internal error.
    steady = {"before", "down", "after"}
    transitional = [
        s
        for s in loop.samples
        if s.phase_started != s.phase_ended or s.phase_started not in steady
    ]
    right = {OK, NOTHING_TO_ACCEPT, *row.affected.values(), *row.while_changing}
    assert failures(transitional, right) == []
    # An outage is not a bug: the server logged no traceback for it.
    tracebacks = [e for e in stack.app.log_entries(log_lines_before) if "exc_info" in e]
    assert tracebacks == []
