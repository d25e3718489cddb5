"""Which GraphQL type shows which document.

Each object type registers itself for its document class. A field can then
return a type defined in a domain above its own (`Worker.bookings` returns
`Booking`) without importing it at run time: the GraphQL graph has cycles, the
module graph does not. Relay's `node(id:)` will resolve through the same map.
"""

from __future__ import annotations

from typing import Any, TypeVar

T = TypeVar("T")

_TYPE_OF: dict[type[Any], type[Any]] = {}


def shows(document: type[Any]) -> Any:
    """Class decorator: this GraphQL type shows `document` (built as `cls(doc=)`)."""

    def register(cls: type[T]) -> type[T]:
        _TYPE_OF[document] = cls
        return cls

    return register


def node_of(doc: Any) -> Any:
    """The GraphQL object for a document, of the type registered for it."""
    return _TYPE_OF[type(doc)](doc=doc)
