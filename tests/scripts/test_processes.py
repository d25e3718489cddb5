"""The child-process helpers behind `make run`, the stand-ins and the fixtures."""

from __future__ import annotations

import os
import re
import signal
import socket
import sys
from pathlib import Path

import grimp
import pytest

from scripts.processes import (
    executable,
    free_port,
    http_answers,
    port_open,
    start_process,
    start_ready,
    stop_process,
    wait_until,
)


def python(code: str) -> list[str]:
    return [sys.executable, "-c", code]


def never() -> bool:
    return False


def test_a_child_that_exits_fails_the_wait_at_once(tmp_path):
    proc = start_process(python("import sys; sys.exit(3)"), tmp_path / "child.log")
    # A long timeout: only noticing the exit can end this wait with RuntimeError.
    with pytest.raises(RuntimeError, match=r"exited early \(code 3\)"):
        wait_until(never, proc, what="the child", timeout=300)


def test_a_child_that_never_gets_ready_times_out(tmp_path):
    log = tmp_path / "child.log"
    named = re.escape(f"the child (log: {log}) was not ready")  # the log to read
    with pytest.raises(TimeoutError, match=named):
        start_ready(
            python("import time; time.sleep(60)"),
            log,
            never,
            what="the child",
            timeout=0.3,
        )


def test_start_ready_waits_on_any_check_and_logs_to_the_file(tmp_path):
    log = tmp_path / "logs" / "child.log"
    proc = start_ready(
        python("import time; print('listening', flush=True); time.sleep(60)"),
        log,
        lambda: "listening" in log.read_text(),
        what="the child",
    )
    try:
        assert proc.poll() is None
    finally:
        stop_process(proc)
    assert proc.returncode == -signal.SIGTERM


class InterruptedWaitError(Exception):
    pass


def test_start_ready_stops_the_child_whatever_ends_the_wait(tmp_path):
    log = tmp_path / "child.log"
    code = "import os, time; print(os.getpid(), flush=True); time.sleep(60)"

    def interrupted_once_started() -> bool:
        if log.read_text().strip():
            raise InterruptedWaitError  # like Ctrl-C while waiting
        return False

    with pytest.raises(InterruptedWaitError):
        start_ready(python(code), log, interrupted_once_started, what="the child")
    pid = int(log.read_text().split()[0])
    with pytest.raises(ProcessLookupError):  # stopped and reaped
        os.kill(pid, 0)


def test_a_child_that_ignores_sigterm_is_killed(tmp_path):
    log = tmp_path / "child.log"
    code = (
        "import signal, time; signal.signal(signal.SIGTERM, signal.SIG_IGN); "
        "print('ready', flush=True); time.sleep(60)"
    )
    proc = start_ready(
        python(code), log, lambda: "ready" in log.read_text(), what="the child"
    )
    stop_process(proc, timeout=0.5)
    assert proc.returncode == -signal.SIGKILL
    stop_process(proc)  # stopping a stopped child is a no-op


def test_port_and_http_checks(tmp_path):
    port = free_port()
    assert not port_open(port)()
    assert not http_answers(f"http://127.0.0.1:{port}/")()
    with socket.socket() as listener:
        listener.bind(("127.0.0.1", port))
        listener.listen()
        assert port_open(port)()


def test_executables_are_found_beside_python_first():
    assert Path(executable("python")).parent == Path(sys.executable).parent
    with pytest.raises(RuntimeError, match="not found"):
        executable("no-such-command-gigsta")


def test_scripts_have_no_import_cycles():
    graph = grimp.build_graph("scripts", cache_dir=None)
    cycles = [
        (module, imported)
        for module in graph.modules
        for imported in graph.find_modules_directly_imported_by(module)
        if graph.chain_exists(importer=imported, imported=module)
    ]
    assert cycles == []
    # devstack composes the stand-ins; they must not need it back.
    assert not graph.chain_exists(
        importer="scripts.standins", imported="scripts.devstack", as_packages=True
    )
