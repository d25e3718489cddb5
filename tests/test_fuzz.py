"""Generated operations over the live schema, sent to the served app over HTTP.

hypothesis-graphql builds valid queries and mutations from
`build_schema().as_str()`; each is sent anonymously or with a customer's, a
worker's or an admin's token. Whatever the operation, the server must answer
below 500, with a JSON body, and log no traceback. The suite runs a fixed,
derandomised set of `FUZZ_EXAMPLES` operations (300); `make fuzz` runs
10,000. Every problem is collected with its operation and reported at the end,
so a long run counts them all.
"""

from __future__ import annotations

import os
import sys
import uuid
from collections import defaultdict
from collections.abc import AsyncIterator
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta, timezone
from pathlib import Path
from typing import Any

import httpx
import pytest
from hypothesis import HealthCheck, given, seed, settings
from hypothesis import strategies as st
from hypothesis_graphql import mutations, nodes, queries
from pymongo import AsyncMongoClient

from gigsta.schema import build_schema
from scripts.migrate import migrate_up
from scripts.processes import stop_process
from scripts.standins.addressable import DEMO_API_KEY, start_addressable
from scripts.standins.s3 import LOCAL_ACCESS_KEY_ID, LOCAL_SECRET_ACCESS_KEY
from scripts.standins.stripe import TEST_SECRET_KEY
from tests.conftest import JWT_SECRET, PASSWORD, run_cli
from tests.fixtures_places import TEST_BUCKET
from tests.served_app import ServedApp, serve

EXAMPLES = int(os.environ.get("FUZZ_EXAMPLES", "300"))
DATABASE = "gigsta_fuzz"
SCHEMA = build_schema().as_str()

# Date-times as clients send them: with a UTC offset, around now.
_NOW = datetime.now(UTC).replace(microsecond=0, tzinfo=None)
DATE_TIMES = st.datetimes(
    min_value=_NOW - timedelta(days=30),
    max_value=_NOW + timedelta(days=400),
    timezones=st.sampled_from([UTC, timezone(timedelta(hours=13))]),
).map(lambda moment: nodes.String(moment.isoformat()))
# Words the API knows, so generated inputs get past the first check.
KNOWN_WORDS = (
    "cleaning",
    "gardening",
    "accept",
    "decline",
    "cancel",
    "complete",
    "pm_card_visa",
    "image/png",
    "application/pdf",
    "customer@fuzz.nz",
    PASSWORD,
)


def operations(
    known_ids: list[str], date_times: st.SearchStrategy[Any]
) -> st.SearchStrategy[str]:
    """Queries and mutations whose IDs are often real ones and whose strings
    are often words the API knows."""
    scalars = {
        "DateTime": date_times,
        "ID": st.one_of(st.sampled_from(known_ids), st.text(max_size=30)).map(
            nodes.String
        ),
        "String": st.one_of(st.sampled_from(KNOWN_WORDS), st.text(max_size=40)).map(
            nodes.String
        ),
    }
    return st.one_of(
        queries(SCHEMA, custom_scalars=scalars),
        mutations(SCHEMA, custom_scalars=scalars),
    )


ROLES = ("anonymous", "customer", "worker", "admin")


@dataclass
class Tally:
    """Problems by kind, each with the operations that caused it."""

    sent: int = 0
    problems: dict[str, list[str]] = field(default_factory=lambda: defaultdict(list))

    def summary(self) -> str:
        lines = [f"{self.sent} operations sent"]
        for kind, operations in sorted(self.problems.items()):
            lines.append(f"{kind}: {len(operations)}")
            lines += [f"    {op}" for op in operations[:5]]
        return "\n".join(lines)


@dataclass
class FuzzTarget:
    app: ServedApp
    tokens: dict[str, str]
    known_ids: list[str]
    client: httpx.Client
    log_lines: int = 0

    def send(self, operation: str, role: str, tally: Tally) -> None:
        request_id = uuid.uuid4().hex
        headers = {"X-Request-ID": request_id}
        if role != "anonymous":
            headers["Authorization"] = f"Bearer {self.tokens[role]}"
        response = self.client.post(
            "/graphql", json={"query": operation}, headers=headers
        )
        tally.sent += 1
        shown = f"[{role}] {' '.join(operation.split())}"
        if response.status_code >= 500:
            tally.problems[f"HTTP {response.status_code}"].append(shown)
        try:
            response.json()
        except ValueError:
            tally.problems["non-JSON body"].append(shown)
        # Errors are logged before the answer is sent, so they are there now.
        entries = self.app.log_entries(self.log_lines)
        self.log_lines += len(entries)
        if any("exc_info" in entry for entry in entries):
            tally.problems["traceback logged"].append(shown)


async def _fresh_database(uri: str, *, migrate: bool) -> None:
    """Drop the fuzz database, and migrate a new one. A client per call: a long
    run outlives the database's idle connections."""
    client: AsyncMongoClient[dict[str, Any]] = AsyncMongoClient(uri)
    try:
        await client.drop_database(DATABASE)
        if migrate:
            await migrate_up(client[DATABASE])
    finally:
        await client.close()


def _a_booking(app: ServedApp, customer: str, worker_id: str) -> str:
    start = datetime.now(UTC) + timedelta(days=2)
    payload = app.graphql(
        """mutation($i: RequestBookingInput!) { requestBooking(input: $i) {
           booking { id } errors { code } } }""",
        {
            "i": {
                "workerId": worker_id,
                "service": "cleaning",
                "description": "Fuzzed flat",
                "scheduledStart": start.isoformat(),
                "scheduledEnd": (start + timedelta(hours=2)).isoformat(),
                "paymentMethodId": "pm_card_visa",
            }
        },
        token=customer,
    )["requestBooking"]
    assert payload["errors"] == [], payload
    return str(payload["booking"]["id"])


@pytest.fixture(scope="module")
async def fuzz_target(
    tmp_path_factory: pytest.TempPathFactory,
    project_root: Path,
    mongo_uri: str,
    localstripe_url: str,
    s3_endpoint: str,
) -> AsyncIterator[FuzzTarget]:
    tmp = tmp_path_factory.mktemp("fuzz")
    await _fresh_database(mongo_uri, migrate=True)
    addressable, addressable_url = start_addressable(tmp / "addressable.log")
    env = {
        "MONGODB_URI": mongo_uri,
        "MONGODB_DB": DATABASE,
        "STRIPE_SECRET_KEY": TEST_SECRET_KEY,
        "STRIPE_WEBHOOK_SECRET": "whsec_fuzz_" + "z" * 20,
        "STRIPE_API_BASE": localstripe_url,
        "STRIPE_MAX_NETWORK_RETRIES": "0",
        "ADDRESSABLE_API_KEY": DEMO_API_KEY,
        "ADDRESSABLE_BASE_URL": addressable_url,
        "GIGSTA_ADDRESS_LOOKUPS_PER_MINUTE": "100000",
        "R2_ENDPOINT_URL": s3_endpoint,
        "R2_BUCKET": TEST_BUCKET,
        "R2_ACCESS_KEY_ID": LOCAL_ACCESS_KEY_ID,
        "R2_SECRET_ACCESS_KEY": LOCAL_SECRET_ACCESS_KEY,
    }
    app = serve(project_root, tmp / "server.log", env)
    try:
        customer, customer_viewer = app.sign_up("customer@fuzz.nz", "CUSTOMER")
        worker, worker_viewer = app.sign_up("worker@fuzz.nz", "WORKER")
        app.offer_cleaning(worker)
        created = run_cli(
            [sys.executable, "-m", "gigsta", "create-admin", "--email", "a@fuzz.nz"],
            env={
                "MONGODB_URI": mongo_uri,
                "MONGODB_DB": DATABASE,
                "GIGSTA_JWT_SECRET": JWT_SECRET,
                "GIGSTA_ADMIN_PASSWORD": PASSWORD,
            },
            cwd=project_root,
        )
        assert created.returncode == 0, created.stderr
        tokens = {
            "customer": customer,
            "worker": worker,
            "admin": app.log_in("a@fuzz.nz"),
        }
        ids = [
            customer_viewer["id"],
            customer_viewer["customer"]["id"],
            worker_viewer["id"],
            worker_viewer["worker"]["id"],
            _a_booking(app, customer, worker_viewer["worker"]["id"]),
        ]
        with httpx.Client(base_url=app.base, timeout=30) as http:
            target = FuzzTarget(app, tokens, ids, http)
            target.log_lines = len(app.log_entries())
            yield target
    finally:
        stop_process(app.proc)
        stop_process(addressable)
        await _fresh_database(mongo_uri, migrate=False)


def test_generated_operations_never_break_the_server(fuzz_target: FuzzTarget) -> None:
    tally = Tally()

    @seed(14)
    @settings(
        max_examples=EXAMPLES,
        derandomize=True,
        database=None,
        deadline=None,
        suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
    )
    @given(
        operation=operations(fuzz_target.known_ids, DATE_TIMES),
        role=st.sampled_from(ROLES),
    )
    def send(operation: str, role: str) -> None:
        fuzz_target.send(operation, role, tally)

    send()
    print(tally.summary())
    assert tally.sent >= EXAMPLES * 0.9
    assert not tally.problems, tally.summary()
