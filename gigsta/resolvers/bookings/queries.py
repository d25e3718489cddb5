"""Reading bookings: one by id, and pages of those the viewer may see."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from gigsta.documents import Booking
from gigsta.domain.accounts import Role, Viewer
from gigsta.domain.bookings.access import HIDDEN_FROM_WORKER
from gigsta.resolvers.core.ids import parse_object_id
from gigsta.resolvers.core.pagination import ListOrder, Page, Paging, find_page
from gigsta.resolvers.core.timed_pages import time_order

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
    return booking if booking is not None and may_read(viewer, booking) else None


def may_read(viewer: Viewer | None, booking: Booking) -> bool:
    """Whether the viewer may see the booking (`booking(id:)` and `node`)."""
    return viewer is not None and booking.visible_role(viewer) is not None


# Newest first; the id breaks ties between bookings made in the same instant.
BOOKING_ORDER: ListOrder[Booking] = time_order("booking", -1)


async def list_bookings(
    viewer: Viewer,
    paging: Paging,
    *,
    status: BookingStatus | None = None,
    worker_id: PydanticObjectId | None = None,
    customer_id: PydanticObjectId | None = None,
) -> Page[Booking]:
    """Bookings the viewer may see, newest first (`createdAt`, then id)."""
    request = paging.request(BOOKING_ORDER.decode)
    clauses: list[dict[str, Any]] = [visibility_filter(viewer)]
    if status is not None:
        clauses.append({"status": status.value})
    if worker_id is not None:
        clauses.append({"worker_id": worker_id})
    if customer_id is not None:
        clauses.append({"customer_id": customer_id})
    clauses += request.bounds(BOOKING_ORDER.keys)
    query = {"$and": clauses} if len(clauses) > 1 else clauses[0]
    return await find_page(Booking, query, BOOKING_ORDER, request)
