"""A local SMTP stand-in (aiosmtpd) that keeps every message it accepts.

`make run` starts it when SMTP_HOST is not set and points the app at it; the
tests start it for the session. Each accepted message is written, as received,
to its own file `NNNNNN.eml` in the store directory (written to a temporary
name and renamed, so a reader never sees half a message). Read them with

    python -m scripts.standins.smtp list [--store DIR]      # one line each
    python -m scripts.standins.smtp show N [--store DIR]    # one in full

For tests it can misbehave on purpose: `--fail-first N` answers the first N
messages with a temporary failure (451), `--reject-all` refuses every
message for good (550), and `--stall-first N` holds the reply
to the first N messages' DATA for `--stall-seconds` (writing
`.stalled-NNNNNN` first, so a test can see the stall began). A client that
disconnects during a stall has not had its message accepted, and it is not
kept.

Run it alone with `python -m scripts.standins.smtp serve --port 2525`.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import email
import email.policy
import os
import sys
from pathlib import Path
from typing import TYPE_CHECKING, Any

from scripts.processes import Process, free_port, port_open, start_ready

if TYPE_CHECKING:
    from email.message import EmailMessage

DEFAULT_STORE = Path(os.environ.get("GIGSTA_DATA_DIR", ".data")) / "mail"


class KeepingHandler:
    """aiosmtpd's handler: keep each message, or fail or stall on purpose."""

    def __init__(
        self,
        store: Path,
        *,
        fail_first: int,
        stall_first: int,
        stall_seconds: float,
        reject_all: bool = False,
    ) -> None:
        self.store = store
        self.reject_all = reject_all
        self.fail_first = fail_first
        self.stall_first = stall_first
        self.stall_seconds = stall_seconds
        self.seen = len(list(store.glob("*.eml")))
        self.attempts = 0

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:  # noqa: N802 - aiosmtpd's hook name
        self.attempts += 1
        if self.reject_all:
            return "550 5.7.1 Message rejected"
        if self.attempts <= self.fail_first:
            return "451 4.3.0 Temporarily unable to accept mail; try again later"
        if self.attempts <= self.fail_first + self.stall_first:
            (self.store / f".stalled-{self.attempts:06d}").touch()
            # Cancelled (and nothing kept) if the client goes away meanwhile.
            await asyncio.sleep(self.stall_seconds)
        self.seen += 1
        name = f"{self.seen:06d}.eml"
        temporary = self.store / f".{name}.tmp"
        temporary.write_bytes(envelope.original_content or envelope.content)
        temporary.rename(self.store / name)
        return "250 2.0.0 Message accepted for delivery"


def message_files(store: Path) -> list[Path]:
    return sorted(store.glob("*.eml"))


def read_messages(store: Path) -> list[EmailMessage]:
    """Every message kept, oldest first, parsed."""
    messages: list[Any] = []
    for path in message_files(store):
        parsed = email.message_from_bytes(
            path.read_bytes(), policy=email.policy.default
        )
        messages.append(parsed)
    return messages


async def _serve(args: argparse.Namespace) -> None:
    from aiosmtpd.smtp import SMTP  # noqa: PLC0415 - a dev dependency, only here

    store = Path(args.store)
    handler = KeepingHandler(
        store,
        fail_first=args.fail_first,
        stall_first=args.stall_first,
        stall_seconds=args.stall_seconds,
        reject_all=args.reject_all,
    )
    loop = asyncio.get_running_loop()
    server = await loop.create_server(
        lambda: SMTP(handler, hostname="smtp.gigsta.test"), args.host, args.port
    )
    print(f"SMTP stand-in on {args.host}:{args.port}, keeping mail in {store}")
    async with server:
        await server.serve_forever()


def _list(store: Path) -> None:
    for index, message in enumerate(read_messages(store), start=1):
        print(f"{index:4d}  {message['Date']}  {message['To']}  {message['Subject']}")


def _show(store: Path, number: int) -> None:
    files = message_files(store)
    if not 1 <= number <= len(files):
        raise SystemExit(f"no message {number} (there are {len(files)})")
    sys.stdout.write(files[number - 1].read_text(errors="replace"))


def start_smtp(
    store: Path,
    log_path: Path,
    *,
    port: int | None = None,
    extra: list[str] | None = None,
) -> tuple[Process, int]:
    """Start the stand-in on `port` (default: a free loopback port), keeping
    mail in `store`; return it and its port. `extra`: the misbehaving options."""
    port = port or free_port()
    proc = start_ready(
        [
            sys.executable,
            "-m",
            "scripts.standins.smtp",
            "serve",
            "--port",
            str(port),
            "--store",
            str(store),
            *(extra or []),
        ],
        log_path,
        port_open(port),
        what="the SMTP stand-in",
        cwd=Path(__file__).resolve().parents[2],
    )
    return proc, port


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    commands = parser.add_subparsers(dest="command", required=True)
    serve = commands.add_parser("serve", help="accept and keep mail")
    serve.add_argument("--host", default="127.0.0.1")
    serve.add_argument("--port", type=int, default=2525)
    serve.add_argument("--fail-first", type=int, default=0)
    serve.add_argument("--reject-all", action="store_true")
    serve.add_argument("--stall-first", type=int, default=0)
    serve.add_argument("--stall-seconds", type=float, default=60.0)
    listing = commands.add_parser("list", help="one line per message kept")
    show = commands.add_parser("show", help="one message in full")
    show.add_argument("number", type=int)
    for command in (serve, listing, show):
        command.add_argument("--store", default=str(DEFAULT_STORE))
    args = parser.parse_args(argv)
    if args.command == "list":
        _list(Path(args.store))
    elif args.command == "show":
        _show(Path(args.store), args.number)
    else:
        Path(args.store).mkdir(parents=True, exist_ok=True)
        with contextlib.suppress(KeyboardInterrupt):
            asyncio.run(_serve(args))


if __name__ == "__main__":
    main()
