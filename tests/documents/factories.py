"""Documents built in memory for store tests."""

from __future__ import annotations

from datetime import datetime, timedelta

from beanie import PydanticObjectId

from gigsta.documents import Booking


def new_booking(now: datetime) -> Booking:
    """A requested booking two days ahead, not yet stored, with no parties' profiles."""
    return Booking(
        customer_id=PydanticObjectId(),
        worker_id=PydanticObjectId(),
        service="cleaning",
        description="Kitchen",
        scheduled_start=now + timedelta(days=2),
        scheduled_end=now + timedelta(days=2, hours=2),
        created_at=now,
        updated_at=now,
        time_zone="Pacific/Auckland",
    )
