"""A webhook receiver for tests: a real HTTP server on a thread of the test
process, answering each request with the next status of a script (200 once
the script is used up), optionally holding a request until released."""

from __future__ import annotations

import contextlib
import threading
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from collections.abc import Iterator


@dataclass
class Received:
    headers: dict[str, str]
    body: str
    answered: int


@dataclass
class Receiver:
    port: int
    statuses: list[int] = field(default_factory=list)
    # Requests to hold (by number, from 1) until `release` is set.
    stall: set[int] = field(default_factory=set)
    release: threading.Event = field(default_factory=threading.Event)
    arrived: list[Received] = field(default_factory=list)
    lock: threading.Lock = field(default_factory=threading.Lock)

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}/hooks/gigsta"

    def accepted(self) -> list[Received]:
        return [r for r in self.arrived if 200 <= r.answered < 300]

    def take(self, headers: dict[str, str], body: str) -> int:
        with self.lock:
            number = len(self.arrived) + 1
            status = self.statuses.pop(0) if self.statuses else 200
            self.arrived.append(Received(headers, body, status))
        if number in self.stall:
            self.release.wait(timeout=120)
        return status


def _handler(receiver: Receiver) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        def do_POST(self) -> None:
            length = int(self.headers.get("Content-Length", "0"))
            body = self.rfile.read(length).decode()
            status = receiver.take(dict(self.headers.items()), body)
            self.send_response(status)
            self.send_header("Content-Length", "0")
            self.end_headers()

        def log_message(self, *_: Any) -> None:
            return

    return Handler


@contextlib.contextmanager
def webhook_receiver(
    *statuses: int, stall: set[int] | None = None
) -> Iterator[Receiver]:
    server = ThreadingHTTPServer(("127.0.0.1", 0), _handler(Receiver(0)))
    receiver = Receiver(server.server_address[1], list(statuses), stall or set())
    server.RequestHandlerClass = _handler(receiver)
    server.daemon_threads = True
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield receiver
    finally:
        receiver.release.set()
        server.shutdown()
        server.server_close()
