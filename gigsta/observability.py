"""Request ids and structured logs: every line is one JSON object.

Log shippers parse each line as JSON, so nothing else may reach the stream:
each record carries `timestamp`, `level`, `logger`, `message` and, inside a
request, `request_id`; anything passed in `extra=` becomes a top-level key, and
a traceback is rendered into the `exc_info` field rather than onto extra lines.
Warnings and uncaught exceptions (a crash at start-up, in a thread) are logged
through the same handler instead of being printed.

Each request ends with one access line (`gigsta.access`) that says who asked
for what and how it went: `request_id`, `user_id`, `method`, `path`,
`operation`, `status`, `duration_ms`, `outcome` and `error_codes`, the codes
of every error the client was sent (refusals, GraphQL errors and the
`UserError`s of mutation payloads), recorded with `record_error_codes`.
"""

from __future__ import annotations

import logging
import re
import sys
import threading
import time
import uuid
from contextvars import ContextVar
from typing import IO, TYPE_CHECKING, Any

from pythonjsonlogger.core import RESERVED_ATTRS
from pythonjsonlogger.json import JsonFormatter

if TYPE_CHECKING:
    from collections.abc import Iterable
    from types import TracebackType

    from starlette.types import ASGIApp, Message, Receive, Scope, Send

request_id_var: ContextVar[str | None] = ContextVar("request_id", default=None)
# The current request's access-line fields, for code that has no request.
_request_fields: ContextVar[dict[str, Any] | None] = ContextVar(
    "request_fields", default=None
)
access_log = logging.getLogger("gigsta.access")

_SAFE_REQUEST_ID = re.compile(r"^[A-Za-z0-9._-]{8,64}$")
LOG_STATE_KEY = "gigsta_log"


class RequestIdFilter(logging.Filter):
    """Stamps records logged inside a request with its id (outside, none)."""

    def filter(self, record: logging.LogRecord) -> bool:
        request_id = request_id_var.get()
        if request_id is not None and not hasattr(record, "request_id"):
            record.request_id = request_id
        return True


def record_error_codes(codes: Iterable[str]) -> None:
    """Add `codes` to the current request's access line (outside a request,
    nothing happens)."""
    fields = _request_fields.get()
    if fields is not None:
        fields.setdefault("error_codes", []).extend(codes)


def json_formatter() -> logging.Formatter:
    """One JSON object per record, with the field names our log shippers index."""
    return JsonFormatter(
        ["levelname", "name", "message"],
        rename_fields={"levelname": "level", "name": "logger"},
        timestamp=True,  # ISO 8601 in UTC, from the record's creation time
        # uvicorn's copy of its message with terminal colour codes.
        reserved_attrs=[*RESERVED_ATTRS, "color_message"],
    )


def log_handler(stream: IO[str] | None = None) -> logging.Handler:
    """A handler writing JSON lines (to stderr by default) with request ids."""
    handler = logging.StreamHandler(stream)
    handler.setFormatter(json_formatter())
    handler.addFilter(RequestIdFilter())
    return handler


def configure_logging(level: str) -> None:
    """JSON lines on stderr for everything the process reports: log records,
    warnings, and exceptions nobody caught (which Python would print)."""
    root = logging.getLogger()
    root.handlers[:] = [log_handler()]
    root.setLevel(level.upper())
    logging.captureWarnings(True)
    sys.excepthook = _log_uncaught
    threading.excepthook = _log_uncaught_in_thread


def _log_uncaught(
    kind: type[BaseException],
    error: BaseException,
    traceback: TracebackType | None,
) -> None:
    if issubclass(kind, KeyboardInterrupt):
        sys.__excepthook__(kind, error, traceback)
        return
    logging.getLogger("gigsta").critical(
        "uncaught %s: %s", kind.__name__, error, exc_info=(kind, error, traceback)
    )


def _log_uncaught_in_thread(args: threading.ExceptHookArgs) -> None:
    if args.exc_value is None:
        return
    logging.getLogger("gigsta").error(
        "uncaught %s in thread %s",
        args.exc_type.__name__,
        args.thread.name if args.thread else "-",
        exc_info=(args.exc_type, args.exc_value, args.exc_traceback),
    )


class RequestLogMiddleware:
    """Gives each HTTP request an id (the client's `X-Request-ID` if it is sane),
    returns it in the `X-Request-ID` header, and logs one access line at the end
    (see the module's docstring for its keys).
    """

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        headers = dict(scope.get("headers") or [])
        incoming = headers.get(b"x-request-id", b"").decode("latin-1")
        request_id = incoming if _SAFE_REQUEST_ID.match(incoming) else uuid.uuid4().hex
        token = request_id_var.set(request_id)
        fields: dict[str, Any] = {}
        fields_token = _request_fields.set(fields)
        scope.setdefault("state", {})
        scope["state"]["request_id"] = request_id
        scope["state"][LOG_STATE_KEY] = fields
        status = 500
        started = time.perf_counter()

        async def send_with_id(message: Message) -> None:
            nonlocal status
            if message["type"] == "http.response.start":
                status = message["status"]
                message.setdefault("headers", [])
                message["headers"] = [
                    *message["headers"],
                    (b"x-request-id", request_id.encode()),
                ]
            await send(message)

        try:
            await self.app(scope, receive, send_with_id)
        finally:
            outcome = fields.get("outcome")
            if outcome is None:
                outcome = (
                    "ok" if status < 400 else "rejected" if status < 500 else "error"
                )
            method, path = scope.get("method"), scope.get("path")
            access_log.info(
                "%s %s %s",
                method,
                path,
                status,
                extra={
                    "event": "request",
                    "request_id": request_id,
                    "user_id": fields.get("user_id"),
                    "method": method,
                    "path": path,
                    "operation": fields.get("operation"),
                    "status": status,
                    "duration_ms": round((time.perf_counter() - started) * 1000, 2),
                    "outcome": outcome,
                    "error_codes": fields.get("error_codes", []),
                },
            )
            _request_fields.reset(fields_token)
            request_id_var.reset(token)
