"""What every collection's Beanie `Settings` starts from."""

from __future__ import annotations

from typing import Any


class WholeDocuments:
    """Reads ask for whole documents, without a projection.

    Beanie otherwise sends every find with a projection naming each field of
    the model, which the model's own parsing makes redundant (a field it does
    not declare is ignored) and which SecantusDB applies field by field: a
    page of 21 bookings read 2.0 ms without it, 3.2 ms with it.
    """

    projection: dict[str, Any] | None = None
