"""Batch reads: what a DataLoader's one query returns, put back in key order."""

from __future__ import annotations

from collections import defaultdict
from typing import TYPE_CHECKING, Any, TypeVar

if TYPE_CHECKING:
    from collections.abc import Callable, Sequence

T = TypeVar("T")


def group_by(
    keys: Sequence[Any], docs: list[T], key_of: Callable[[T], Any]
) -> list[list[T]]:
    """Documents grouped under their parent's key, one list per key in key
    order (empty for a key with none)."""
    groups: defaultdict[Any, list[T]] = defaultdict(list)
    for doc in docs:
        groups[key_of(doc)].append(doc)
    return [groups.get(key, []) for key in keys]
