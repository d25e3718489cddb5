"""The real server process: `python -m gigsta serve` under uvicorn, over TCP."""

from __future__ import annotations

import asyncio
import contextlib
import json
import os
import signal
import sys
import time
from datetime import UTC, datetime, timedelta

import httpx
import pytest

from scripts.processes import (
    free_port,
    http_answers,
    start_process,
    stop_process,
    wait_until,
)
from tests.conftest import JWT_SECRET, PASSWORD


def start_server(settings, project_root, log_path, **extra_env):
    port = free_port()
    env = {
        **os.environ,
        "MONGODB_URI": settings.mongodb_uri,
        "MONGODB_DB": settings.mongodb_db,
        "GIGSTA_JWT_SECRET": JWT_SECRET,
        "GIGSTA_HOST": "127.0.0.1",
        "GIGSTA_PORT": str(port),
        "GIGSTA_SWEEPER": "false",
        **extra_env,
    }
    env.pop("STRIPE_SECRET_KEY", None)
    proc = start_process(
        [sys.executable, "-m", "gigsta", "serve"], log_path, cwd=project_root, env=env
    )
    base = f"http://127.0.0.1:{port}"
    try:
        wait_until(http_answers(f"{base}/readyz", status=200), proc, what="the server")
    except (RuntimeError, TimeoutError):
        stop_process(proc)
        pytest.fail(f"server did not start:\n{log_path.read_text()}")
    return proc, base


@pytest.fixture
def served(settings, raw_db, project_root, tmp_path):
    proc, base = start_server(settings, project_root, tmp_path / "server.log")
    try:
        yield base
    finally:
        stop_process(proc)


async def test_sign_up_viewer_and_a_race_over_tcp(served):
    async with httpx.AsyncClient(base_url=served, timeout=10) as client:

        async def gql(query, variables=None, token=None):
            headers = {"Authorization": f"Bearer {token}"} if token else {}
            response = await client.post(
                "/graphql",
                json={"query": query, "variables": variables or {}},
                headers=headers,
            )
            assert response.status_code == 200, response.text
            assert response.headers["x-request-id"]
            return response.json()["data"]

        sign_up = """mutation($i: SignUpInput!) { signUp(input: $i) {
            token viewer { customer { id } worker { id } } errors { code } } }"""
        worker = (
            await gql(
                sign_up,
                {
                    "i": {
                        "email": "w@example.nz",
                        "password": PASSWORD,
                        "name": "W",
                        "role": "WORKER",
                        "country": "NZ",
                    }
                },
            )
        )["signUp"]
        customer = (
            await gql(
                sign_up,
                {
                    "i": {
                        "email": "c@example.nz",
                        "password": PASSWORD,
                        "name": "C",
                        "role": "CUSTOMER",
                        "country": "NZ",
                    }
                },
            )
        )["signUp"]
        me = await gql("{ viewer { email role } }", token=customer["token"])
        assert me["viewer"] == {"email": "c@example.nz", "role": "CUSTOMER"}
        assert (await gql("{ viewer { email } }"))["viewer"] is None

        await gql(
            """mutation { updateWorkerProfile(input: {services: ["cleaning"],
               hourlyRate: 4000}) { errors { code } } }""",
            token=worker["token"],
        )
        # Stripe is not configured for this process: bookings carry no payment.
        requested = (
            await gql(
                """mutation($w: ID!, $s: DateTime!, $e: DateTime!) {
                   requestBooking(input: {workerId: $w, service: "cleaning",
                   description: "Flat", scheduledStart: $s, scheduledEnd: $e}) {
                   booking { id version } errors { code message } } }""",
                {
                    "w": worker["viewer"]["worker"]["id"],
                    "s": (start := datetime.now(UTC) + timedelta(days=3)).isoformat(),
                    "e": (start + timedelta(hours=2)).isoformat(),
                },
                token=customer["token"],
            )
        )["requestBooking"]
        assert requested["errors"] == []
        booking = requested["booking"]

        act = """mutation($b: ID!, $a: String!, $r: String) {
            performBookingAction(input: {bookingId: $b, action: $a,
              expectedVersion: 1, reason: $r}) {
              booking { status } errors { code } } }"""
        attempts = [
            gql(act, {"b": booking["id"], "a": "accept"}, worker["token"])
            if i % 2
            else gql(act, {"b": booking["id"], "a": "cancel"}, customer["token"])
            for i in range(12)
        ]
        results = [r["performBookingAction"] for r in await asyncio.gather(*attempts)]
        assert sum(not r["errors"] for r in results) == 1
        assert {e["code"] for r in results for e in r["errors"]} <= {
            "VERSION_CONFLICT",
            "INVALID_TRANSITION",
        }


async def test_the_server_writes_one_json_object_per_line(served, tmp_path):
    async with httpx.AsyncClient(base_url=served, timeout=10) as client:
        response = await client.post(
            "/graphql",
            json={"query": "query Services { services { key } }"},
            headers={"X-Request-ID": "served-req-12345"},
        )
    assert response.status_code == 200
    log_path = tmp_path / "server.log"
    # The access line is written once the response has gone out: wait for it.
    deadline = time.monotonic() + 10
    while "served-req-12345" not in log_path.read_text():
        assert time.monotonic() < deadline, log_path.read_text()
        await asyncio.sleep(0.05)
    entries = [json.loads(line) for line in log_path.read_text().splitlines()]
    assert all(
        {"timestamp", "level", "logger", "message"} <= entry.keys() for entry in entries
    )
    # uvicorn's own start-up lines go through the same JSON handler.
    assert any(entry["logger"].startswith("uvicorn") for entry in entries)
    (access,) = [e for e in entries if e.get("request_id") == "served-req-12345"]
    assert access["logger"] == "gigsta.access"
    assert (access["method"], access["path"], access["status"]) == (
        "POST",
        "/graphql",
        200,
    )
    assert access["operation"] == "Services"


async def test_a_spoofed_forwarded_for_from_loopback_does_not_escape_the_limit(served):
    """Over TCP from 127.0.0.1 with no trusted proxy configured: rotating
    `X-Forwarded-For` must not give each request a fresh allowance."""
    query = '{ addressSuggestions(query: "queen street", country: NZ) { formatted } }'
    codes = []
    # The served process counts in wall-clock minute windows: start early in
    # one so the 31 requests cannot straddle a window boundary.
    into_minute = time.time() % 60
    if into_minute > 30:
        await asyncio.sleep(60.5 - into_minute)
    async with httpx.AsyncClient(base_url=served, timeout=10) as client:
        for i in range(31):
            response = await client.post(
                "/graphql",
                json={"query": query},
                headers={"X-Forwarded-For": f"198.51.100.{i}"},
            )
            codes.append(response.json()["errors"][0]["extensions"]["code"])
    # Address lookup is not configured in this process; the limit comes first.
    assert codes == ["ADDRESS_LOOKUP_UNAVAILABLE"] * 30 + ["RATE_LIMITED"]


async def test_log_out_everywhere_counts_at_once_on_another_instance(served, gql):
    """Two instances on one database: this process and the served one."""
    token, _ = await gql.sign_up("aroha@example.nz")
    viewer = {"query": "{ viewer { email } }"}
    headers = {"Authorization": f"Bearer {token}"}
    async with httpx.AsyncClient(base_url=served, timeout=10) as client:
        before = await client.post("/graphql", json=viewer, headers=headers)
        assert before.json()["data"]["viewer"] == {"email": "aroha@example.nz"}
        revoked = await gql(
            "mutation { logOutEverywhere { errors { code } } }", token=token
        )
        assert revoked["logOutEverywhere"]["errors"] == []
        after = await client.post("/graphql", json=viewer, headers=headers)
    assert after.status_code == 401
    assert after.json()["errors"][0]["extensions"]["code"] == "UNAUTHENTICATED"


async def test_sigterm_stops_the_server_with_a_request_in_flight(
    settings, raw_db, project_root, tmp_path
):
    """A request stuck on a dependency that never answers (and a time budget
    longer than the test) does not keep the process alive after SIGTERM."""
    accepted = asyncio.Event()
    held: list[asyncio.StreamWriter] = []

    async def never_answer(reader, writer):
        held.append(writer)
        accepted.set()

    black_hole = await asyncio.start_server(never_answer, "127.0.0.1", 0)
    hole_port = black_hole.sockets[0].getsockname()[1]
    proc, base = start_server(
        settings,
        project_root,
        tmp_path / "server.log",
        ADDRESSABLE_API_KEY="key",
        ADDRESSABLE_BASE_URL=f"http://127.0.0.1:{hole_port}",
        ADDRESSABLE_TIMEOUT_SECONDS="300",
        ADDRESSABLE_RETRIES="0",
        GIGSTA_REQUEST_TIMEOUT_SECONDS="300",
        GIGSTA_SHUTDOWN_TIMEOUT_SECONDS="1",
    )
    try:
        async with httpx.AsyncClient(base_url=base, timeout=60) as client:
            in_flight = asyncio.create_task(
                client.post(
                    "/graphql",
                    json={
                        "query": '{ addressSuggestions(query: "queen street", '
                        "country: NZ) { formatted } }"
                    },
                )
            )
            await asyncio.wait_for(accepted.wait(), timeout=30)
            proc.send_signal(signal.SIGTERM)
            # The bound: 1 s of grace, then the request is cancelled and the
            # app shuts down; generous for a loaded machine, far below 300 s.
            exit_code = await asyncio.to_thread(proc.wait, 20)
            assert exit_code is not None
            with contextlib.suppress(httpx.HTTPError):
                await in_flight
    finally:
        stop_process(proc)
        for writer in held:
            writer.close()
        black_hole.close()
    log = tmp_path.joinpath("server.log").read_text()
    assert "timeout graceful shutdown exceeded" in log
