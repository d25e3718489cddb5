"""Reading bookings: one by id, and pages of those the viewer may see."""

from __future__ import annotations

from datetime import datetime
from typing import TYPE_CHECKING, Any

from beanie import SortDirection

from gigsta.documents import Booking
from gigsta.domain.accounts import Role, Viewer
from gigsta.domain.bookings.access import HIDDEN_FROM_WORKER
from gigsta.resolvers.core.ids import parse_object_id
from gigsta.resolvers.core.pagination import (
    InvalidCursorError,
    Page,
    decode_cursor,
    encode_cursor,
    page_size,
)

if TYPE_CHECKING:
    from beanie import PydanticObjectId

    from gigsta.domain.bookings.actions import BookingStatus


def visibility_filter(viewer: Viewer) -> dict[str, Any]:
    """The bookings a viewer may see (`Booking.visible_role` as a query)."""
    if viewer.role is Role.ADMIN:
        return {}
    oid = parse_object_id(viewer.profile_id or "")
    if oid is None:
        return {"_id": {"$exists": False}}
    if viewer.role is Role.CUSTOMER:
        return {"customer_id": oid}
    return {
        "worker_id": oid,
        "status": {"$nin": sorted(s.value for s in HIDDEN_FROM_WORKER)},
    }


async def get_booking(viewer: Viewer | None, booking_id: str) -> Booking | None:
    """The booking, or None when it does not exist or the viewer may not see it."""
    oid = parse_object_id(booking_id)
    if oid is None or viewer is None:
        return None
    booking = await Booking.get(oid)
    if booking is None or booking.visible_role(viewer) is None:
        return None
    return booking


def _cursor(booking: Booking) -> str:
    return encode_cursor("booking", [booking.created_at.isoformat(), str(booking.id)])


def _decode_booking_cursor(cursor: str) -> tuple[datetime, PydanticObjectId]:
    values = decode_cursor("booking", cursor, size=2)
    try:
        created = datetime.fromisoformat(str(values[0]))
    except ValueError as exc:
        raise InvalidCursorError("The cursor is not valid.") from exc
    oid = parse_object_id(str(values[1]))
    if oid is None or created.tzinfo is None:
        raise InvalidCursorError("The cursor is not valid.")
    return created, oid


async def list_bookings(
    viewer: Viewer,
    *,
    first: int | None,
    after: str | None,
    status: BookingStatus | None = None,
    worker_id: PydanticObjectId | None = None,
    customer_id: PydanticObjectId | None = None,
) -> Page[Booking]:
    """Bookings the viewer may see, newest first (`createdAt`, then id)."""
    limit = page_size(first)
    clauses: list[dict[str, Any]] = [visibility_filter(viewer)]
    if status is not None:
        clauses.append({"status": status.value})
    if worker_id is not None:
        clauses.append({"worker_id": worker_id})
    if customer_id is not None:
        clauses.append({"customer_id": customer_id})
    if after is not None:
        created_raw, id_raw = _decode_booking_cursor(after)
        clauses.append(
            {
                "$or": [
                    {"created_at": {"$lt": created_raw}},
                    {"created_at": created_raw, "_id": {"$lt": id_raw}},
                ]
            }
        )
    query = {"$and": clauses} if len(clauses) > 1 else clauses[0]
    docs = (
        await Booking.find(query)
        .sort(
            [
                ("created_at", SortDirection.DESCENDING),
                ("_id", SortDirection.DESCENDING),
            ]
        )
        .limit(limit + 1)
        .to_list()
    )
    return Page(
        items=[(b, _cursor(b)) for b in docs[:limit]],
        has_next_page=len(docs) > limit,
    )
