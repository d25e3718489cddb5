"""The outbox's retry schedule: exponential backoff, then give up.

A failed attempt `n` (1-based) is tried again `RETRY_BASE * 2**(n-1)` later,
capped at `RETRY_CAP`: 30 s, 1 min, 2 min, 4 min, 8 min, 16 min, 32 min. The
`MAX_ATTEMPTS`th failure (about an hour after the first) is final: the record
is marked dead and logged for someone to look at.
"""

from __future__ import annotations

from datetime import timedelta

RETRY_BASE = timedelta(seconds=30)
RETRY_CAP = timedelta(hours=1)
MAX_ATTEMPTS = 8


def retry_delay(attempts: int) -> timedelta:
    """How long after failed attempt number `attempts` to try again."""
    exponent = max(attempts - 1, 0)
    if exponent >= 16:  # far past the cap; keeps the multiplication small
        return RETRY_CAP
    delay: timedelta = RETRY_BASE * (2**exponent)
    return min(delay, RETRY_CAP)


def gives_up(attempts: int, max_attempts: int = MAX_ATTEMPTS) -> bool:
    """Whether failed attempt number `attempts` was the last one allowed."""
    return attempts >= max_attempts
