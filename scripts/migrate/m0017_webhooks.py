"""Partners' webhook endpoints are listed by partner; each delivery's
attempts are listed by delivery, in order."""

from __future__ import annotations

from typing import Any

from pymongo import ASCENDING, IndexModel
from pymongo.asynchronous.database import AsyncDatabase

ENDPOINT_INDEX = IndexModel(
    [("partner_id", ASCENDING), ("_id", ASCENDING)], name="by_partner"
)
ATTEMPT_INDEX = IndexModel(
    [("delivery_id", ASCENDING), ("_id", ASCENDING)], name="by_delivery"
)
# A partner's delivery log lists one endpoint's deliveries, newest first.
DELIVERY_INDEX = IndexModel(
    [("payload.endpoint_id", ASCENDING), ("_id", ASCENDING)],
    name="by_webhook_endpoint",
    partialFilterExpression={"channel": "webhook"},
)


async def up(db: AsyncDatabase[dict[str, Any]]) -> None:
    await db["webhook_endpoints"].create_indexes([ENDPOINT_INDEX])
    await db["webhook_attempts"].create_indexes([ATTEMPT_INDEX])
    await db["deliveries"].create_indexes([DELIVERY_INDEX])


async def down(db: AsyncDatabase[dict[str, Any]]) -> None:
    await db["webhook_endpoints"].drop_index("by_partner")
    await db["webhook_attempts"].drop_index("by_delivery")
    await db["deliveries"].drop_index("by_webhook_endpoint")
