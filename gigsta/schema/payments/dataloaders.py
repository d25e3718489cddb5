"""Payments' DataLoaders, built per request through `Context.loader`."""

from __future__ import annotations

from collections.abc import Sequence

from beanie import PydanticObjectId
from strawberry.dataloader import DataLoader

from gigsta.documents import Booking
from gigsta.documents.payments import PayoutStatus
from gigsta.resolvers.core.batches import group_by


async def _pending_payouts(keys: Sequence[PydanticObjectId]) -> list[list[Booking]]:
    docs = await Booking.find(
        {
            "worker_id": {"$in": list(set(keys))},
            "payout.status": PayoutStatus.PENDING.value,
        }
    ).to_list()
    docs.sort(key=lambda b: (b.created_at, str(b.id)))
    return group_by(keys, docs, lambda b: b.worker_id)


class PendingPayoutsByWorkerLoader(DataLoader[PydanticObjectId, list[Booking]]):
    """Each worker's bookings whose share is waiting to be sent."""

    def __init__(self) -> None:
        super().__init__(load_fn=_pending_payouts)
