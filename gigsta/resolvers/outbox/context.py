"""What fan-out reads about an event: the booking and both parties.

Read once per event, when it is fanned out: a delivery carries what was true
then (the event's own data says what changed; the booking gives the price and
the times), so a retry days later sends the same message.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from gigsta.documents import Booking, Customer, User, Worker
from gigsta.domain.bookings.actions import ActorRole

if TYPE_CHECKING:
    from gigsta.documents import DomainEvent
    from gigsta.documents.accounts import Profile


@dataclass(frozen=True, slots=True)
class Party:
    profile: Profile
    user: User


@dataclass(frozen=True, slots=True)
class EventContext:
    event: DomainEvent
    booking: Booking
    customer: Party
    worker: Party

    def party(self, role: ActorRole) -> Party:
        if role is ActorRole.CUSTOMER:
            return self.customer
        if role is ActorRole.WORKER:
            return self.worker
        raise ValueError(f"a booking has no party in role {role}")


async def load_context(event: DomainEvent) -> EventContext | None:
    """The event with its booking and parties; None when any of them is gone
    (an account deleted since): nobody is left to tell."""
    booking = await Booking.get(event.booking_id)
    customer = await Customer.get(event.customer_id)
    worker = await Worker.get(event.worker_id)
    if booking is None or customer is None or worker is None:
        return None
    users = {
        u.id: u
        async for u in User.find({"_id": {"$in": [customer.user_id, worker.user_id]}})
    }
    customer_user, worker_user = users.get(customer.user_id), users.get(worker.user_id)
    if customer_user is None or worker_user is None:
        return None
    return EventContext(
        event=event,
        booking=booking,
        customer=Party(customer, customer_user),
        worker=Party(worker, worker_user),
    )
