"""Log lines as the app writes them: each one a JSON object, even tracebacks."""

from __future__ import annotations

import json
import logging

from gigsta.observability import log_handler, request_id_var

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
