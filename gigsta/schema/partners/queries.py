"""Partners' root field."""

from __future__ import annotations

from typing import Annotated

import strawberry

from gigsta.resolvers import partners
from gigsta.schema.core import nodes
from gigsta.schema.core.context import Info
from gigsta.schema.partners.types import Partner


@strawberry.type
class PartnersQuery:
    @strawberry.field(
        description="A partner by id: admins see any, an API key its own "
        "partner; null otherwise."
    )
    async def partner(
        self,
        info: Info,
        id: Annotated[
            strawberry.ID, strawberry.argument(description="The partner's id.")
        ],
    ) -> Partner | None:
        oid = nodes.local_id(id, Partner)
        if oid is None:
            return None
        found = await partners.partner_of(info.context.viewer, oid)
        return Partner(doc=found) if found else None
