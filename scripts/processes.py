"""Child processes for local development and the tests: start one with its log
file, wait until it is ready, stop it.

The one set of helpers behind `make run`, every stand-in, the test fixtures and
the benchmark. Waiting always has a deadline and fails fast when the child has
already exited, so a server that cannot start is reported in moments with the
log file to read, not after a long silent wait.
"""

from __future__ import annotations

import shutil
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path
from typing import TYPE_CHECKING

import httpx

if TYPE_CHECKING:
    from collections.abc import Callable, Mapping, Sequence

Process = subprocess.Popen[bytes]

READY_TIMEOUT = 30.0
STOP_TIMEOUT = 15.0
_POLL_INTERVAL = 0.1
# One readiness probe must not eat the whole wait on an unresponsive child.
_PROBE_TIMEOUT = 0.5


def free_port() -> int:
    """A TCP port on the loopback interface that nothing listens on right now."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def executable(name: str) -> str:
    """The path of a command, preferring the one installed beside this Python."""
    local = Path(sys.executable).parent / name
    found = str(local) if local.exists() else shutil.which(name)
    if not found:
        raise RuntimeError(f"{name} not found: run `make run` / `make test` to install")
    return found


def start_process(
    args: Sequence[str],
    log_path: Path,
    *,
    cwd: Path | None = None,
    env: Mapping[str, str] | None = None,
) -> Process:
    """Start `args` with stdout and stderr appended to `log_path`.

    The child gets its own session: Ctrl-C in a terminal reaches our server only,
    and we stop the children after it has drained.
    """
    log_path.parent.mkdir(parents=True, exist_ok=True)
    with log_path.open("ab") as log_file:
        return subprocess.Popen(
            list(args),
            stdout=log_file,
            stderr=subprocess.STDOUT,
            start_new_session=True,
            cwd=cwd,
            env=env,
        )


def wait_until(
    ready: Callable[[], bool],
    proc: Process,
    *,
    what: str,
    timeout: float = READY_TIMEOUT,
) -> None:
    """Poll `ready` until it returns True.

    Raises RuntimeError as soon as `proc` has exited, and TimeoutError once
    `timeout` seconds have passed without `ready` succeeding.
    """
    deadline = time.monotonic() + timeout
    while True:
        if proc.poll() is not None:
            raise RuntimeError(f"{what} exited early (code {proc.returncode})")
        if ready():
            return
        if time.monotonic() > deadline:
            raise TimeoutError(f"{what} was not ready after {timeout:g} s")
        time.sleep(_POLL_INTERVAL)


def port_open(port: int, host: str = "127.0.0.1") -> Callable[[], bool]:
    """A readiness check: something accepts TCP connections on `host:port`."""

    def check() -> bool:
        try:
            with socket.create_connection((host, port), timeout=_PROBE_TIMEOUT):
                return True
        except OSError:
            return False

    return check


def http_answers(url: str, *, status: int | None = None) -> Callable[[], bool]:
    """A readiness check: `url` answers HTTP (with `status`, when one is given)."""

    def check() -> bool:
        try:
            response = httpx.get(url, timeout=_PROBE_TIMEOUT)
        except httpx.TransportError:
            return False
        return status is None or response.status_code == status

    return check


def start_ready(
    args: Sequence[str],
    log_path: Path,
    ready: Callable[[], bool],
    *,
    what: str,
    cwd: Path | None = None,
    env: Mapping[str, str] | None = None,
    timeout: float = READY_TIMEOUT,
) -> Process:
    """`start_process`, then `wait_until` it is ready; a child that never gets
    ready is stopped before the error propagates, so none is left behind."""
    proc = start_process(args, log_path, cwd=cwd, env=env)
    try:
        wait_until(ready, proc, what=f"{what} (log: {log_path})", timeout=timeout)
    except BaseException:
        stop_process(proc)
        raise
    return proc


def stop_process(proc: Process, timeout: float = STOP_TIMEOUT) -> None:
    """SIGTERM, and SIGKILL if the child is still there after `timeout` seconds."""
    if proc.poll() is not None:
        return
    proc.send_signal(signal.SIGTERM)
    try:
        proc.wait(timeout)
    except subprocess.TimeoutExpired:
        proc.kill()
        proc.wait()
