"""Local stand-ins for the paid services, each started as its own process."""

from __future__ import annotations

import subprocess
import time

import httpx


def wait_for_http(url: str, proc: subprocess.Popen[bytes], timeout: float = 30) -> None:
    """Wait until something answers HTTP at `url` (any status will do)."""
    deadline = time.monotonic() + timeout
    while True:
        if proc.poll() is not None:
            raise RuntimeError(f"{url} exited early (code {proc.returncode})")
        try:
            httpx.get(url, timeout=0.5)
        except httpx.TransportError:
            if time.monotonic() > deadline:
                raise
            time.sleep(0.1)
        else:
            return
