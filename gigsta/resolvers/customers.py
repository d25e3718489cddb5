"""Customer profiles: only the customer themself or an admin may read one."""

from __future__ import annotations

from gigsta.auth import Viewer
from gigsta.documents import Customer
from gigsta.domain.accounts import Role
from gigsta.resolvers.ids import parse_object_id


def may_read_customer(viewer: Viewer | None, customer_id: str) -> bool:
    if viewer is None:
        return False
    return viewer.role is Role.ADMIN or viewer.profile_id == customer_id


async def get_customer(viewer: Viewer | None, customer_id: str) -> Customer | None:
    """The customer, or None when it does not exist or the viewer may not see it."""
    oid = parse_object_id(customer_id)
    if oid is None or not may_read_customer(viewer, str(oid)):
        return None
    return await Customer.get(oid)
