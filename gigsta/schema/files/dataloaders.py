"""Files' DataLoaders, built per request through `Context.loader`."""

from __future__ import annotations

from beanie import PydanticObjectId
from strawberry.dataloader import DataLoader

from gigsta.documents import Attachment
from gigsta.resolvers.files.access import attachments_by_booking, documents_by_worker
from gigsta.schema.core.dataloaders import by_id


class AttachmentsByBookingLoader(DataLoader[PydanticObjectId, list[Attachment]]):
    def __init__(self) -> None:
        super().__init__(load_fn=attachments_by_booking)


class DocumentsByWorkerLoader(DataLoader[PydanticObjectId, list[Attachment]]):
    def __init__(self) -> None:
        super().__init__(load_fn=documents_by_worker)


AttachmentByIdLoader = by_id(Attachment)
