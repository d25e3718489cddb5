"""Fields that show a document's attribute as it is (times: in their zone).

`name = doc_field("name", str)` replaces a three-line getter method. The field
is a resolver field like the methods around it, so a type's fields keep the
order they are written in.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

import strawberry

from gigsta.domain.time_zones import local_time


def doc_field(attr: str, kind: Any, *, description: str | None = None) -> Any:
    """A field resolving to `root.doc.<attr>`, of GraphQL type `kind`."""

    def resolve(root: Any) -> Any:
        return getattr(root.doc, attr)

    # Strawberry reads the field's type from the resolver's return annotation.
    resolve.__annotations__ = {"root": Any, "return": kind}
    return strawberry.field(resolver=resolve, description=description)


def local_time_field(attr: str, *, description: str | None = None) -> Any:
    """A DateTime field resolving to `root.doc.<attr>` at the offset its zone
    (`root.zone`, an IANA name: the booking's) has at that instant. Every
    booking time goes through it, so all of them read in the job's zone."""

    def resolve(root: Any) -> datetime:
        return local_time(getattr(root.doc, attr), root.zone)

    return strawberry.field(resolver=resolve, description=description)
