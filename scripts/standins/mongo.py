"""SecantusDB (PyPI) as the local MongoDB, started as a child process.

`make run` starts it unless MONGODB_URI is set; the tests and the benchmark
start a throw-away one in memory. Never imported by `gigsta/`.
"""

from __future__ import annotations

import os
from collections.abc import Callable
from pathlib import Path
from typing import Any

from pymongo import MongoClient
from pymongo.errors import PyMongoError

from scripts.processes import Process, executable, free_port, start_ready

SECANTUS_CONFIG = Path(__file__).resolve().parents[1] / "secantusd.toml"
# SecantusDB's own test switch: it turns the journal and the final checkpoint
# off. Never inherited by our database, whose store on disk must be durable.
_FAST_STORAGE_SWITCH = "SECANTUS_TEST_FAST_STORAGE"


def mongo_answers(uri: str) -> Callable[[], bool]:
    """A readiness check: the server at `uri` answers `ping`."""

    def check() -> bool:
        try:
            client: MongoClient[dict[str, Any]]
            with MongoClient(uri, serverSelectionTimeoutMS=500) as client:
                client.admin.command("ping")
        except PyMongoError:
            return False
        return True

    return check


def start_mongo(
    storage_path: str,
    log_path: Path,
    *,
    port: int | None = None,
) -> tuple[Process, str]:
    """Start `secantusd-py` on `port` (default: a free loopback port); return it
    and its URI. A store on disk is reopened with everything acknowledged before
    the last stop, even a SIGKILL (see docs/faults.md)."""
    port = port or free_port()
    uri = f"mongodb://127.0.0.1:{port}/?directConnection=true"
    proc = start_ready(
        [
            executable("secantusd-py"),
            "--config",
            str(SECANTUS_CONFIG),
            "--host",
            "127.0.0.1",
            "--port",
            str(port),
            "--storage-path",
            storage_path,
            "--log-level",
            "WARNING",
        ],
        log_path,
        mongo_answers(uri),
        what="the database (secantusd-py)",
        env={k: v for k, v in os.environ.items() if k != _FAST_STORAGE_SWITCH},
    )
    return proc, uri
