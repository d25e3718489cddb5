"""Log lines as the app writes them: each one a JSON object, even tracebacks."""

from __future__ import annotations

import json
import logging
import sys
import time

import httpx
import pytest

from gigsta.observability import log_handler, request_id_var
from scripts.processes import stop_process
from tests.conftest import run_cli
from tests.ids import global_id, raw_id
from tests.served_app import serve

REQUIRED = {"timestamp", "level", "logger", "message"}


async def test_every_line_written_during_a_request_is_one_json_object(
    gql, monkeypatch, app_log
):
    from gigsta.resolvers.accounts import workers

    async def broken(*args, **kwargs):
        raise RuntimeError("boom\nwith a second line")

    monkeypatch.setattr(workers, "list_workers", broken)
    response = await gql.raw("query Broken { workers { edges { cursor } } }")
    assert response.status_code == 200
    request_id = response.headers["x-request-id"]

    lines = app_log.lines()
    assert len(lines) >= 2  # at least the error and the access line
    entries = [json.loads(line) for line in lines]
    assert all(isinstance(entry, dict) for entry in entries)
    for entry in entries:
        assert entry.keys() >= REQUIRED, entry
    # The test's own HTTP client logs too, after the request is over; every line
    # from the app itself was written inside the request.
    app_entries = [e for e in entries if e["logger"].startswith("gigsta")]
    assert len(app_entries) >= 2
    assert all(e["request_id"] == request_id for e in app_entries)
    (error,) = [e for e in entries if "exc_info" in e]
    assert error["level"] == "ERROR"
    assert error["exc_info"].startswith("Traceback (most recent call last):")
    assert "RuntimeError: boom\nwith a second line" in error["exc_info"]
    (access,) = [e for e in entries if e["logger"] == "gigsta.access"]
    assert access["outcome"] == "internal_error"


def test_lines_outside_a_request_carry_no_request_id():
    import io

    stream = io.StringIO()
    logger = logging.getLogger("gigsta.test_observability")
    handler = log_handler(stream)
    logger.addHandler(handler)
    logger.propagate = False
    try:
        logger.warning("outside")
        token = request_id_var.set("req-inside-1")
        try:
            logger.warning("inside")
        finally:
            request_id_var.reset(token)
    finally:
        logger.removeHandler(handler)
        logger.propagate = True
    outside, inside = (json.loads(line) for line in stream.getvalue().splitlines())
    assert outside["message"] == "outside"
    assert "request_id" not in outside
    assert inside["request_id"] == "req-inside-1"
    assert {"timestamp", "level", "logger"} <= outside.keys()


def access_line(app, request_id):
    """The served app's access line for `request_id`, once it is written (just
    after the response has gone out)."""
    deadline = time.monotonic() + 10
    while True:
        found = [e for e in app.log_entries() if e.get("request_id") == request_id]
        access = [e for e in found if e["logger"] == "gigsta.access"]
        if access:
            (line,) = access
            return line
        assert time.monotonic() < deadline, app.log_path.read_text()
        time.sleep(0.05)


@pytest.fixture
def served_app(settings, raw_db, project_root, tmp_path):
    app = serve(
        project_root,
        tmp_path / "server.log",
        {"MONGODB_URI": settings.mongodb_uri, "MONGODB_DB": settings.mongodb_db},
    )
    try:
        yield app
    finally:
        stop_process(app.proc)


def test_every_line_of_the_served_app_is_json_and_requests_say_who_what_and_how(
    served_app,
):
    app = served_app
    token, viewer = app.sign_up("logs@example.nz", "WORKER")

    def send(request_id, *, token="", headers=None, **kwargs):
        headers = {"X-Request-ID": request_id, **(headers or {})}
        if token:
            headers["Authorization"] = f"Bearer {token}"
        response = httpx.post(
            f"{app.base}/graphql", headers=headers, timeout=30, **kwargs
        )
        assert response.headers["x-request-id"] == request_id
        return access_line(app, request_id)

    me = send("log-me-0001", token=token, json={"query": "query Me { viewer { id } }"})
    assert me["user_id"] == raw_id(viewer["id"])
    assert me["operation"] == "Me"
    assert (me["status"], me["outcome"], me["error_codes"]) == (200, "ok", [])
    assert isinstance(me["duration_ms"], float | int)
    assert me["duration_ms"] >= 0

    # A failed mutation: the codes of its UserErrors, selected or not.
    act = send(
        "log-act-0001",
        token=token,
        json={
            "query": """mutation Act($b: ID!) { performBookingAction(input: {
                bookingId: $b, action: "accept",
                expectedVersion: 1}) { booking { id } } }""",
            "variables": {"b": global_id("Booking", "0" * 24)},
        },
    )
    assert act["user_id"] == raw_id(viewer["id"])
    assert act["operation"] == "Act"
    assert act["error_codes"] == ["NOT_FOUND"]

    anonymous = send(
        "log-anon-0001",
        json={"query": "mutation LogOut { logOutEverywhere { errors { code } } }"},
    )
    assert anonymous["user_id"] is None
    assert anonymous["error_codes"] == ["UNAUTHENTICATED"]

    # A GraphQL error's code, and a refusal's.
    cursor = send(
        "log-cursor-01",
        json={"query": 'query Page { workers(after: "nope") { edges { cursor } } }'},
    )
    assert cursor["error_codes"] == ["BAD_USER_INPUT"]
    refused = send(
        "log-refused-1",
        content=b"{not json",
        headers={"content-type": "application/json"},
    )
    assert (refused["status"], refused["error_codes"]) == (400, ["BAD_REQUEST"])

    stop_process(app.proc)
    entries = app.log_entries()  # every line, start-up to shut-down, is JSON
    for entry in entries:
        assert entry.keys() >= REQUIRED, entry
        assert "color_message" not in entry
    loggers = {entry["logger"] for entry in entries}
    assert {"uvicorn.error", "gigsta.access"} <= loggers
    assert any("Finished server process" in e["message"] for e in entries)


def test_a_server_that_cannot_start_says_why_in_json(project_root, settings):
    result = run_cli(
        [sys.executable, "-m", "gigsta", "serve"],
        {
            "GIGSTA_JWT_SECRET": "too short",
            "MONGODB_URI": settings.mongodb_uri,
            "GIGSTA_PORT": "0",
        },
        cwd=project_root,
    )
    assert result.returncode != 0
    lines = result.stderr.splitlines()
    assert lines, result.stdout
    entries = [json.loads(line) for line in lines]
    (crash,) = [e for e in entries if e["level"] == "CRITICAL"]
    assert "GIGSTA_JWT_SECRET" in crash["message"]
    assert crash["exc_info"].startswith("Traceback (most recent call last):")
