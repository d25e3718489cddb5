"""The SMTP stand-in (aiosmtpd, its own process) for the session, a mailbox
view of what it kept, and misbehaving stand-ins for single tests."""

from __future__ import annotations

import contextlib
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

from gigsta.resolvers.outbox import Outbox, outbox_from_settings
from gigsta.settings import Settings
from scripts.processes import stop_process
from scripts.standins.smtp import read_messages, start_smtp


def text(message: Any) -> str:
    """A message's plain-text body, with the wire's CRLF line ends as `\n`."""
    body: str = message.get_content()
    return body.replace("\r\n", "\n")


@dataclass
class Mailbox:
    """What one SMTP stand-in kept, and settings that send to it."""

    store: Path
    port: int

    def clear(self) -> None:
        for path in self.store.glob("*"):
            path.unlink()

    def messages(self) -> list[Any]:
        return read_messages(self.store)

    def to(self, address: str) -> list[Any]:
        return [m for m in self.messages() if address in m["To"]]

    def settings(self, base: Settings) -> Settings:
        return base.model_copy(
            update={
                "smtp_host": "127.0.0.1",
                "smtp_port": self.port,
                "smtp_security": "none",
                "smtp_timeout_seconds": 10.0,
            }
        )

    def outbox(self, base: Settings) -> Outbox:
        outbox = outbox_from_settings(self.settings(base))
        assert outbox is not None
        return outbox

    def env(self) -> dict[str, str]:
        """The same, for a child process's environment."""
        return {
            "SMTP_HOST": "127.0.0.1",
            "SMTP_PORT": str(self.port),
            "SMTP_SECURITY": "none",
        }


@contextlib.contextmanager
def smtp_standin(store: Path, *extra: str) -> Iterator[Mailbox]:
    proc, port = start_smtp(store, store.parent / f"{store.name}.log", extra=[*extra])
    try:
        yield Mailbox(store, port)
    finally:
        stop_process(proc)


@pytest.fixture(scope="session")
def session_smtp(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Mailbox]:
    with smtp_standin(tmp_path_factory.mktemp("smtp") / "mail") as mailbox:
        yield mailbox


@pytest.fixture
def mailbox(session_smtp: Mailbox) -> Mailbox:
    """The session's stand-in, emptied for this test."""
    session_smtp.clear()
    return session_smtp
