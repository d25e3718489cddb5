"""Messages' DataLoaders, built per request through `Context.loader`: a page
of bookings costs one command for their messages and two for unread counts."""

from __future__ import annotations

from typing import TYPE_CHECKING

from beanie import PydanticObjectId
from strawberry.dataloader import DataLoader

from gigsta.documents import BookingMessage
from gigsta.resolvers import messages
from gigsta.schema.core.dataloaders import by_id, load_grouped

if TYPE_CHECKING:
    from gigsta.domain.bookings.actions import ActorRole
    from gigsta.resolvers.core.pagination import Page


BookingMessageByIdLoader = by_id(BookingMessage)


async def _first_pages(
    size: int, bookings: list[PydanticObjectId]
) -> list[Page[BookingMessage]]:
    return await messages.first_message_pages(bookings, size)


class FirstMessagePageLoader(
    DataLoader[tuple[PydanticObjectId, int], "Page[BookingMessage]"]
):
    """The first page (of the size asked) of each booking's messages."""

    def __init__(self) -> None:
        super().__init__(load_fn=lambda keys: load_grouped(keys, _first_pages))


async def _unread(role: ActorRole, bookings: list[PydanticObjectId]) -> list[int]:
    return await messages.unread_counts(bookings, role)


class UnreadCountLoader(DataLoader[tuple[PydanticObjectId, "ActorRole"], int]):
    """Messages the party (role) has not read yet, per booking."""

    def __init__(self) -> None:
        super().__init__(load_fn=lambda keys: load_grouped(keys, _unread))
