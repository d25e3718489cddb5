"""Fields that show a document's attribute as it is (times: in their zone;
references: as global ids).

`name = doc_field(str)` replaces a three-line getter method. Such a
field has no resolver: Strawberry resolves it on its fast path for plain
attributes (no `Info`, no argument parsing, no resolver call wrapped in the
field-extension chain), and once the schema is built the executor calls the
field's own resolver directly (`direct_resolvers.py`), which costs a third
of a resolver field's time per value (`python -m bench.field_cost`). It
reads the GraphQL object's `doc` itself, so it is not a constructor
argument. A type's fields keep the order they are written in, these and
resolver methods alike.
"""

from __future__ import annotations

from datetime import datetime
from types import MappingProxyType
from typing import TYPE_CHECKING, Any

from lazy_model.nao import NAO
from strawberry import ID
from strawberry.types.field import StrawberryField

from gigsta.domain.time_zones import local_time
from gigsta.schema.core.nodes import global_id

if TYPE_CHECKING:
    from collections.abc import Awaitable, Callable

    from strawberry.types import Info

    _Reader = Callable[[str], Callable[[Any, Any], Any]]

# Where each field keeps how to resolve its value, `(root, info) -> value`
# (`metadata` survives the copies Strawberry makes of a field).
_RESOLVE = "gigsta.resolve"
# Until its class is made, a field reading the attribute named like itself
# keeps how to make that function of the name.
_READER = "gigsta.reader"

# A stored document's attribute, read without its model's own attribute hook
# (Beanie's documents parse lazily: a Python call on every read). The value
# it holds until parsed, or a missing one, goes through the hook.
_fetch = object.__getattribute__


def read_attribute(doc: Any, attr: str) -> Any:
    """`getattr(doc, attr)`, for a pydantic model or a Beanie document."""
    try:
        value = _fetch(doc, attr)
    except AttributeError:
        return getattr(doc, attr)
    return getattr(doc, attr) if value is NAO else value


class DocumentField(StrawberryField):
    """A field without resolver whose value `metadata[_RESOLVE]` reads from
    the GraphQL object (its `doc`), not an attribute of the object itself."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.init = self.repr = self.compare = False

    def __set_name__(self, owner: type[Any], name: str) -> None:
        """A field reading the attribute named like itself learns its name
        when its class is made."""
        super().__set_name__(owner, name)
        reader = self.metadata.get(_READER)
        if reader is not None:
            self.metadata = MappingProxyType({_RESOLVE: reader(name)})

    def get_result(
        self, source: Any, info: Info | None, args: list[Any], kwargs: Any
    ) -> Awaitable[Any] | Any:
        return resolver_of(self)(source, info)


def resolver_of(field: DocumentField) -> Callable[[Any, Any], Any]:
    """The field's value of a GraphQL object, `(root, info) -> value`."""
    resolve: Callable[[Any, Any], Any] = field.metadata[_RESOLVE]
    return resolve


def _field(
    kind: Any, reader: _Reader, attr: str | None, description: str | None
) -> Any:
    from strawberry.annotation import StrawberryAnnotation  # noqa: PLC0415

    return DocumentField(
        type_annotation=StrawberryAnnotation(kind),
        description=description,
        metadata={_RESOLVE: reader(attr)} if attr else {_READER: reader},
    )


def _document_value(attr: str) -> Callable[[Any, Any], Any]:
    def resolve(root: Any, _info: Any) -> Any:
        doc = root.doc
        try:
            value = _fetch(doc, attr)
        except AttributeError:
            return getattr(doc, attr)
        return getattr(doc, attr) if value is NAO else value

    return resolve


def _local_time(attr: str) -> Callable[[Any, Any], datetime]:
    def resolve(root: Any, _info: Any) -> datetime:
        return local_time(read_attribute(root.doc, attr), root.zone)

    return resolve


def doc_field(
    kind: Any, *, description: str | None = None, attr: str | None = None
) -> Any:
    """A field showing `root.doc.<attr>` (by default, the attribute named like
    the field), of GraphQL type `kind`. `doc` is mostly a stored document, but
    any value the type shows will do (an action's rule, a page)."""
    return _field(kind, _document_value, attr, description)


def id_field(
    target: type[Any] | str, kind: Any = ID, *, description: str | None = None
) -> Any:
    """A field showing the global id of the `target` object whose document
    id is `root.doc.<name of the field>`, null where there is none."""

    def reader(attr: str) -> Callable[[Any, Any], ID | None]:
        def resolve(root: Any, _info: Any) -> ID | None:
            oid = read_attribute(root.doc, attr)
            return global_id(target, oid) if oid else None

        return resolve

    return _field(kind, reader, None, description)


def local_time_field(attr: str | None = None, *, description: str | None = None) -> Any:
    """A DateTime field showing `root.doc.<attr>` (by default, the attribute
    named like the field) at the offset its zone (`root.zone`, an IANA name:
    the booking's) has at that instant. Every booking time goes through it,
    so all of them read in the job's zone."""
    return _field(datetime, _local_time, attr, description)
