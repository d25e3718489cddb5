"""Payments' root field: `priceQuote`."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated

import strawberry

from gigsta.resolvers.payments import quotes
from gigsta.schema.core import nodes
from gigsta.schema.core.context import Info
from gigsta.schema.payments.types import PriceQuote, price_quote


@strawberry.type
class PaymentsQuery:
    @strawberry.field(
        description=(
            "What booking this worker for this window would cost now, checked as "
            "`requestBooking` checks it (a refused window or service is an error "
            "with its code). Null when it cannot be priced: no such worker, no "
            "rate set, or payments off."
        )
    )
    async def price_quote(
        self,
        info: Info,
        worker_id: Annotated[
            strawberry.ID, strawberry.argument(description="The `Worker.id`.")
        ],
        service: Annotated[
            str,
            strawberry.argument(description="A service key the worker offers."),
        ],
        scheduled_start: Annotated[
            datetime,
            strawberry.argument(description="The start, with a UTC offset."),
        ],
        scheduled_end: Annotated[
            datetime,
            strawberry.argument(
                description="The end, with a UTC offset; billed in 15-minute steps, "
                "at least an hour."
            ),
        ],
    ) -> PriceQuote | None:
        q = await quotes.price_quote(
            info.context.runtime.payments,
            worker_id=nodes.expect_id(worker_id, "Worker", "workerId"),
            service=service,
            start=scheduled_start,
            end=scheduled_end,
            now=info.context.now,
        )
        return price_quote(q) if q is not None else None
