"""What a field's query selects below it, so a resolver can load ahead what
the objects it returns will be asked for (as the page of bookings loads its
parties: `gigsta.schema.core.relations`)."""

from __future__ import annotations

from typing import TYPE_CHECKING

from strawberry.types.nodes import FragmentSpread, InlineFragment, SelectedField

if TYPE_CHECKING:
    from collections.abc import Iterable, Iterator

    from strawberry.types.nodes import Selection

    from gigsta.schema.core.context import Info


def selected(info: Info, *path: str) -> set[str]:
    """The names of the fields selected at `path` (field names, not aliases)
    below the field being resolved, through fragments; a field that `@skip`
    or `@include` leaves out is not selected."""
    # `selected_fields` holds the field being resolved (once per place it is
    # asked for); what it selects is below.
    level: list[Selection] = [
        inner for field in _fields(info.selected_fields) for inner in field.selections
    ]
    for name in path:
        level = [
            inner
            for field in _fields(level)
            if field.name == name
            for inner in field.selections
        ]
    return {field.name for field in _fields(level)}


def _fields(selections: Iterable[Selection]) -> Iterator[SelectedField]:
    """The fields among `selections`, those of fragments included."""
    for selection in selections:
        if not _included(selection.directives):
            continue
        if isinstance(selection, SelectedField):
            yield selection
        elif isinstance(selection, FragmentSpread | InlineFragment):
            yield from _fields(selection.selections)


def _included(directives: dict[str, dict[str, object]]) -> bool:
    skip = directives.get("skip", {}).get("if") is True
    return not skip and directives.get("include", {}).get("if") is not False
