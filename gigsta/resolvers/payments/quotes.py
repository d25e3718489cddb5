"""`priceQuote`: what a request would cost, checked and priced as
`requestBooking` checks and prices it."""

from __future__ import annotations

from typing import TYPE_CHECKING

from gigsta.domain.bookings.requests import request_errors
from gigsta.domain.core import ClientError
from gigsta.domain.payments.pricing import Quote, quote
from gigsta.domain.services import SERVICE_CATALOGUE
from gigsta.resolvers.accounts.workers import get_worker, worker_offer

if TYPE_CHECKING:
    from datetime import datetime

    from gigsta.documents import Worker
    from gigsta.resolvers.payments.config import Payments


async def price_quote(
    payments: Payments | None,
    *,
    worker_id: str,
    service: str,
    start: datetime,
    end: datetime,
    now: datetime,
) -> Quote | None:
    """The quote, or None when nothing can be priced (no such worker, no rate,
    no payments). A request `requestBooking` would refuse is a client error."""
    worker = await get_worker(worker_id)
    if worker is None or not worker.hourly_rate_cents or payments is None:
        return None
    errors = request_errors(
        worker_offer(worker), service=service, start=start, end=end, now=now
    )
    if errors:
        raise ClientError(errors[0].code, errors[0].message)
    return worker_quote(
        payments, worker, service_name=SERVICE_CATALOGUE[service], start=start, end=end
    )


def worker_quote(
    payments: Payments,
    worker: Worker,
    *,
    service_name: str,
    start: datetime,
    end: datetime,
) -> Quote | None:
    """The price of the worker's time from `start` to `end` at their hourly
    rate; None while they have not set one."""
    if not worker.hourly_rate_cents:
        return None
    return quote(
        hourly_rate=worker.hourly_rate_cents,
        start=start,
        end=end,
        country=worker.country,
        rates=payments.rates,
        service_name=service_name,
    )
