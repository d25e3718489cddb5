"""Who is what on a booking, and who may see it (pure).

One policy for the schema and the resolvers alike: a viewer is the booking's
customer, its worker, an admin, or nobody; and a request reaches the worker
only once the customer's card is held.
"""

from __future__ import annotations

from gigsta.domain.accounts import Role, Viewer
from gigsta.domain.bookings.actions import ActorRole, BookingStatus

# Statuses in which the booking's worker does not see it yet.
HIDDEN_FROM_WORKER: frozenset[BookingStatus] = frozenset(
    {BookingStatus.PENDING_PAYMENT}
)


def actor_role(
    viewer: Viewer | None, *, customer_id: object, worker_id: object
) -> ActorRole | None:
    """The viewer's role on a booking between these parties, or None."""
    if viewer is None:
        return None
    if viewer.role is Role.ADMIN:
        return ActorRole.ADMIN
    if viewer.role is Role.CUSTOMER and viewer.profile_id == str(customer_id):
        return ActorRole.CUSTOMER
    if viewer.role is Role.WORKER and viewer.profile_id == str(worker_id):
        return ActorRole.WORKER
    return None


def may_see(role: ActorRole | None, status: BookingStatus) -> bool:
    """Whether a party with `role` sees the booking while it is in `status`."""
    if role is None:
        return False
    return not (role is ActorRole.WORKER and status in HIDDEN_FROM_WORKER)


def sees_customer_side(role: ActorRole | None) -> bool:
    """The price the customer pays and the card payment: customer and admins."""
    return role in {ActorRole.CUSTOMER, ActorRole.ADMIN}


def sees_worker_side(role: ActorRole | None) -> bool:
    """The worker's payout: worker and admins."""
    return role in {ActorRole.WORKER, ActorRole.ADMIN}
