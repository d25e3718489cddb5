"""Cursors keep their format: one issued before orjson made them still
reads, and the same position still gives the same cursor."""

from __future__ import annotations

import base64
import json

from gigsta.resolvers.core.pagination import decode_cursor, encode_cursor


def test_a_cursor_is_the_same_as_before():
    values = ["2026-11-01T00:12:00+00:00", "6543210fedcba9876543210f"]
    raw = json.dumps(["booking", *values], separators=(",", ":")).encode()
    before = base64.urlsafe_b64encode(raw).decode().rstrip("=")
    assert encode_cursor("booking", values) == before
    assert decode_cursor("booking", before) == values
    with_numbers = ["worker", 4.5, 12, "6543210fedcba9876543210f"]
    assert (
        decode_cursor("worker", encode_cursor("worker", with_numbers[1:]))
        == (with_numbers[1:])
    )
