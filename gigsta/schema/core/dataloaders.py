"""Per-request DataLoaders: one `$in` query per batch, results in key order."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import TypeVar

from beanie import Document, PydanticObjectId
from strawberry.dataloader import DataLoader

from gigsta.documents import Attachment, Booking, Customer, User, Worker
from gigsta.documents.payments import PayoutStatus
from gigsta.resolvers.files import attachments_by_booking, documents_by_worker

D = TypeVar("D", bound=Document)


async def _load_by_ids(
    model: type[D], keys: Sequence[PydanticObjectId]
) -> list[D | None]:
    docs = await model.find({"_id": {"$in": list(set(keys))}}).to_list()
    by_id = {doc.id: doc for doc in docs}
    return [by_id.get(key) for key in keys]


class UserByIdLoader(DataLoader[PydanticObjectId, User | None]):
    def __init__(self) -> None:
        super().__init__(load_fn=lambda keys: _load_by_ids(User, keys))


class CustomerByIdLoader(DataLoader[PydanticObjectId, Customer | None]):
    def __init__(self) -> None:
        super().__init__(load_fn=lambda keys: _load_by_ids(Customer, keys))


class WorkerByIdLoader(DataLoader[PydanticObjectId, Worker | None]):
    def __init__(self) -> None:
        super().__init__(load_fn=lambda keys: _load_by_ids(Worker, keys))


class AttachmentsByBookingLoader(DataLoader[PydanticObjectId, list[Attachment]]):
    def __init__(self) -> None:
        super().__init__(load_fn=attachments_by_booking)


class DocumentsByWorkerLoader(DataLoader[PydanticObjectId, list[Attachment]]):
    def __init__(self) -> None:
        super().__init__(load_fn=documents_by_worker)


class PendingPayoutsByWorkerLoader(DataLoader[PydanticObjectId, list[Booking]]):
    """Payments: each worker's bookings whose share is waiting to be sent."""

    def __init__(self) -> None:
        async def load(keys: Sequence[PydanticObjectId]) -> list[list[Booking]]:
            docs = await Booking.find(
                {
                    "worker_id": {"$in": list(set(keys))},
                    "payout.status": PayoutStatus.PENDING.value,
                }
            ).to_list()
            by_worker: dict[PydanticObjectId, list[Booking]] = {}
            for doc in sorted(docs, key=lambda b: (b.created_at, str(b.id))):
                by_worker.setdefault(doc.worker_id, []).append(doc)
            return [by_worker.get(key, []) for key in keys]

        super().__init__(load_fn=load)


@dataclass
class Loaders:
    user_by_id: UserByIdLoader = field(default_factory=UserByIdLoader)
    customer_by_id: CustomerByIdLoader = field(default_factory=CustomerByIdLoader)
    worker_by_id: WorkerByIdLoader = field(default_factory=WorkerByIdLoader)
    attachments_by_booking: AttachmentsByBookingLoader = field(
        default_factory=AttachmentsByBookingLoader
    )
    documents_by_worker: DocumentsByWorkerLoader = field(
        default_factory=DocumentsByWorkerLoader
    )
    pending_payouts_by_worker: PendingPayoutsByWorkerLoader = field(
        default_factory=PendingPayoutsByWorkerLoader
    )
