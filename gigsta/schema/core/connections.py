"""Cursor connections (`edges { node cursor } pageInfo`)."""

from __future__ import annotations

from typing import TYPE_CHECKING, Generic, TypeVar

import strawberry

if TYPE_CHECKING:
    from collections.abc import Callable

    from gigsta.resolvers.core.pagination import Page

T = TypeVar("T")
D = TypeVar("D")


@strawberry.type
class PageInfo:
    has_next_page: bool
    end_cursor: str | None


@strawberry.type
class Edge(Generic[T]):
    node: T
    cursor: str


@strawberry.type
class Connection(Generic[T]):
    edges: list[Edge[T]]
    page_info: PageInfo


def connection_from_page(page: Page[D], node: Callable[[D], T]) -> Connection[T]:
    """A page of documents as a connection of their GraphQL types."""
    return Connection(
        edges=[Edge(node=node(doc), cursor=cursor) for doc, cursor in page.items],
        page_info=PageInfo(
            has_next_page=page.has_next_page, end_cursor=page.end_cursor
        ),
    )
