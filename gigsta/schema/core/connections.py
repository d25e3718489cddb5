"""Cursor connections (`edges { node cursor } pageInfo`)."""

from __future__ import annotations

import inspect
from typing import TYPE_CHECKING, Annotated, Any, Generic, TypeVar

import strawberry

from gigsta.resolvers.core.pagination import DEFAULT_PAGE_SIZE, MAX_PAGE_SIZE, Page
from gigsta.schema.core.fields import doc_field

if TYPE_CHECKING:
    from collections.abc import Awaitable, Callable

T = TypeVar("T")
D = TypeVar("D")


# The paging arguments every connection field takes.
FirstArgument = Annotated[
    int | None,
    strawberry.argument(
        description=(
            f"How many items to return: {DEFAULT_PAGE_SIZE} when omitted, at most "
            f"{MAX_PAGE_SIZE} (more is cut to {MAX_PAGE_SIZE}); negative is an "
            "error (BAD_USER_INPUT)."
        )
    ),
]
AfterArgument = Annotated[
    str | None,
    strawberry.argument(
        description=(
            "Return the items after this cursor: the `pageInfo.endCursor` of the "
            "previous page of the same list; omit it for the first page. A cursor "
            "we did not make is an error (BAD_USER_INPUT)."
        )
    ),
]
LastArgument = Annotated[
    int | None,
    strawberry.argument(
        description=(
            "Page backward: return this many items, the last of the list (or "
            f"those just before `before`), still in the list's order; at most "
            f"{MAX_PAGE_SIZE}. Giving both `first` and `last` is an error "
            "(BAD_USER_INPUT), as is a negative value."
        )
    ),
]
BeforeArgument = Annotated[
    str | None,
    strawberry.argument(
        description=(
            "Return the items before this cursor: the `pageInfo.startCursor` of "
            "the page after, from the same list. A cursor we did not make is an "
            "error (BAD_USER_INPUT)."
        )
    ),
]
# The same, as the annotations of a resolver made at run time.
PAGING_ARGUMENTS: dict[str, Any] = {
    "first": FirstArgument,
    "after": AfterArgument,
    "last": LastArgument,
    "before": BeforeArgument,
}


@strawberry.type(description="Where a page sits in its list.")
class PageInfo:
    doc: strawberry.Private[Page[Any]]

    has_next_page = doc_field(
        bool,
        description="Whether more items follow: ask again with `after: endCursor`. "
        "Paging backward, true whenever `before` was given.",
    )
    has_previous_page = doc_field(
        bool,
        description="Whether items come before the page: ask again with "
        "`last` and `before: startCursor`. Paging forward, true whenever `after` "
        "was given.",
    )
    start_cursor = doc_field(
        str | None,
        description="The cursor of the page's first item (null for an empty "
        "page); opaque, valid only for the list it came from.",
    )
    end_cursor = doc_field(
        str | None,
        description="The cursor of the page's last item (null for an empty page); "
        "opaque, valid only for the list it came from.",
    )


@strawberry.type(description="One item of a page, with its cursor.")
class Edge(Generic[T]):
    node: T = strawberry.field(description="The item.")
    cursor: str = strawberry.field(
        description="Opaque position of this item: pass it as `after` to continue "
        "after it, or as `before` to page back from it."
    )


@strawberry.type(
    description="One page of a list, in a stable order; follow `pageInfo` for more."
)
class Connection(Generic[T]):
    edges: list[Edge[T]] = strawberry.field(description="The page's items, in order.")
    page_info: PageInfo = strawberry.field(
        description="Whether there is a next page, and where it starts."
    )


def connection_from_page(page: Page[D], node: Callable[[D], T]) -> Connection[T]:
    """A page of documents as a connection of their GraphQL types."""
    return Connection(
        edges=[Edge(node=node(doc), cursor=cursor) for doc, cursor in page.items],
        page_info=PageInfo(doc=page),
    )


def connection_field(
    node: Any,
    description: str,
    page: Callable[..., Awaitable[Connection[Any] | None]],
    **arguments: Any,
) -> Any:
    """A field of `Connection[node]` taking the paging arguments, then
    `arguments` (name: annotation), all optional: `page(root, info, first=,
    after=, last=, before=, ...)` makes it. Nullable, like every list, so that
    a bad cursor fails this field alone."""
    omitted = dict.fromkeys({**PAGING_ARGUMENTS, **arguments})

    async def resolve(*, root: Any, info: Any, **given: Any) -> Connection[Any] | None:
        return await page(root, info, **(omitted | given))

    # Strawberry reads the arguments (and passes `root` and `info`) by the
    # resolver's signature.
    keyword = inspect.Parameter.KEYWORD_ONLY
    resolve.__signature__ = inspect.Signature(  # type: ignore[attr-defined]
        [
            inspect.Parameter("root", keyword),
            inspect.Parameter("info", keyword, annotation=strawberry.Info),
            *(
                inspect.Parameter(name, keyword, default=None, annotation=kind)
                for name, kind in {**PAGING_ARGUMENTS, **arguments}.items()
            ),
        ],
        return_annotation=Connection[node] | None,
    )
    return strawberry.field(resolver=resolve, description=description)


def paged_field(
    node: Any,
    description: str,
    page: Callable[..., Awaitable[Connection[Any] | None]],
) -> Any:
    """A paged field of `Connection[node]` on a type showing a document:
    `page(info, root.doc, first=, after=, last=, before=)` makes it."""

    async def of_document(
        root: Any, info: Any, **paging: Any
    ) -> Connection[Any] | None:
        return await page(info, root.doc, **paging)

    return connection_field(node, description, of_document)
