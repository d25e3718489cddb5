"""Customer profiles: only the customer themself or an admin may read one."""

from __future__ import annotations

from gigsta.documents import Customer
from gigsta.domain.accounts import Viewer, is_self_or_admin
from gigsta.resolvers.core.ids import parse_object_id


async def get_customer(viewer: Viewer | None, customer_id: str) -> Customer | None:
    """The customer, or None when it does not exist or the viewer may not see it."""
    oid = parse_object_id(customer_id)
    if oid is None or not may_read(viewer, oid):
        return None
    return await Customer.get(oid)


def may_read(viewer: Viewer | None, customer_id: object) -> bool:
    """Whether the viewer may see the customer (`customer(id:)` and `node`)."""
    return is_self_or_admin(viewer, customer_id)
