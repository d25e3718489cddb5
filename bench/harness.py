"""What every benchmark needs: a database, and the real server's environment."""

from __future__ import annotations

import os
import secrets
import tempfile
from collections.abc import Callable
from pathlib import Path

from scripts.processes import stop_process
from scripts.standins.mongo import start_mongo


def with_database(run: Callable[[str, Path], None]) -> None:
    """Call `run(uri, workdir)` against MONGODB_URI when set, else against a
    throw-away in-memory SecantusDB; `workdir` is a temporary folder for logs."""
    with tempfile.TemporaryDirectory() as tmp:
        workdir = Path(tmp)
        uri = os.environ.get("MONGODB_URI")
        if uri:
            run(uri, workdir)
            return
        proc, uri = start_mongo(":memory:", workdir / "secantusd.log")
        try:
            run(uri, workdir)
        finally:
            stop_process(proc)


def server_env(uri: str, db_name: str, port: int, **extra: str) -> dict[str, str]:
    """The environment of a served app on `port` using database `db_name`,
    without Stripe or the other paid services."""
    env = {
        **os.environ,
        "MONGODB_URI": uri,
        "MONGODB_DB": db_name,
        "GIGSTA_JWT_SECRET": secrets.token_urlsafe(40),
        "GIGSTA_PORT": str(port),
        "GIGSTA_SWEEPER": "false",
        "GIGSTA_LOG_LEVEL": "WARNING",
        **extra,
    }
    for unset in ("STRIPE_SECRET_KEY", "ADDRESSABLE_API_KEY", "R2_ENDPOINT_URL"):
        env.pop(unset, None)
    return env


def cpu_seconds(pid: int | None) -> float | None:
    """CPU time (user and system) a process has used so far, from Linux's
    /proc; None elsewhere or when it is gone."""
    if pid is None:
        return None
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except OSError:
        return None
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def database_pid(uri: str) -> int | None:
    """The local database process serving `uri` (a stand-in started on its
    port), found by its command line; None when there is none here."""
    port = uri.rsplit(":", 1)[-1].split("/", maxsplit=1)[0]
    for cmdline in Path("/proc").glob("[0-9]*/cmdline"):
        try:
            words = cmdline.read_bytes().split(b"\0")
        except OSError:
            continue
        if b"--port" in words and port.encode() in words:
            return int(cmdline.parent.name)
    return None
