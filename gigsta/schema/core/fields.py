"""Fields that show a document's attribute as it is (times: in their zone).

`name = doc_field("name", str)` replaces a three-line getter method. Such a
field has no resolver: Strawberry resolves it on its fast path for plain
attributes (no `Info`, no argument parsing, no resolver call wrapped in the
field-extension chain), which costs a third of a resolver field's time per
value (`python -m bench.field_cost`). It reads the GraphQL object's `doc`
itself, so it is not a constructor argument. A type's fields keep the order
they are written in, these and resolver methods alike.
"""

from __future__ import annotations

from datetime import datetime
from operator import attrgetter
from typing import TYPE_CHECKING, Any

from strawberry.types.field import StrawberryField

from gigsta.domain.time_zones import local_time

if TYPE_CHECKING:
    from collections.abc import Awaitable, Callable

    from strawberry.types import Info

# Where each field keeps how to read its value (`metadata` survives the
# copies Strawberry makes of a field).
_READ = "gigsta.read"


class _DocumentField(StrawberryField):
    """A field without resolver whose value `metadata[_READ]` reads from the
    GraphQL object (its `doc`), not an attribute of the object itself."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.init = self.repr = self.compare = False

    def get_result(
        self, source: Any, info: Info | None, args: list[Any], kwargs: Any
    ) -> Awaitable[Any] | Any:
        read: Callable[[Any], Any] = self.metadata[_READ]
        return read(source)


def _field(kind: Any, read: Callable[[Any], Any], description: str | None) -> Any:
    from strawberry.annotation import StrawberryAnnotation  # noqa: PLC0415

    return _DocumentField(
        type_annotation=StrawberryAnnotation(kind),
        description=description,
        metadata={_READ: read},
    )


def doc_field(attr: str, kind: Any, *, description: str | None = None) -> Any:
    """A field showing `root.doc.<attr>`, of GraphQL type `kind`."""
    return _field(kind, attrgetter(f"doc.{attr}"), description)


def local_time_field(attr: str, *, description: str | None = None) -> Any:
    """A DateTime field showing `root.doc.<attr>` at the offset its zone
    (`root.zone`, an IANA name: the booking's) has at that instant. Every
    booking time goes through it, so all of them read in the job's zone."""

    def read(root: Any) -> datetime:
        return local_time(getattr(root.doc, attr), root.zone)

    return _field(datetime, read, description)
