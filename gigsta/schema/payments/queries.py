"""Payments' root field: `priceQuote`."""

from __future__ import annotations

from datetime import datetime

import strawberry

from gigsta.resolvers.payments import quotes
from gigsta.schema.core.context import Info
from gigsta.schema.payments.types import PriceQuote, price_quote


@strawberry.type
class PaymentsQuery:
    @strawberry.field(
        description="What booking this worker for this window would cost now."
    )
    async def price_quote(
        self,
        info: Info,
        worker_id: strawberry.ID,
        service: str,
        scheduled_start: datetime,
        scheduled_end: datetime,
    ) -> PriceQuote | None:
        q = await quotes.price_quote(
            info.context.runtime.payments,
            worker_id=worker_id,
            service=service,
            start=scheduled_start,
            end=scheduled_end,
            now=info.context.now,
        )
        return price_quote(q) if q is not None else None
