"""Partners and their API keys, as admins (and a partner's own keys) see them."""

from __future__ import annotations

from datetime import datetime
from typing import TYPE_CHECKING

import strawberry

from gigsta.documents import ApiKey as ApiKeyDoc
from gigsta.documents import Partner as PartnerDoc
from gigsta.domain.accounts import Role
from gigsta.domain.partners import Scope
from gigsta.resolvers import partners
from gigsta.schema.core import nodes
from gigsta.schema.core.enums import expose
from gigsta.schema.core.fields import doc_field

if TYPE_CHECKING:
    from gigsta.domain.accounts import Viewer

expose(
    Scope,
    name="ApiKeyScope",
    description="What an API key may do. Every operation's scope is listed in "
    'the README ("For partners"); a person\'s token is not limited by scopes.',
    values={
        Scope.WORKERS_READ: "`workers:read`: search and read workers.",
        Scope.BOOKINGS_READ: "`bookings:read`: read the bookings the partner "
        "requested (wherever they appear).",
        Scope.BOOKINGS_WRITE: "`bookings:write`: quote, request bookings and act "
        "on them (`requestBooking`, `performBookingAction`).",
        Scope.WEBHOOKS_MANAGE: "`webhooks:manage`: register webhook "
        "endpoints and read their delivery log.",
    },
)


def admin_or_own(viewer: Viewer | None, partner_id: object) -> bool:
    if viewer is None:
        return False
    if viewer.partner is not None:
        return viewer.partner.partner_id == str(partner_id)
    return viewer.role is Role.ADMIN


def owns_key(viewer: Viewer | None, key: ApiKeyDoc) -> bool:
    return admin_or_own(viewer, key.partner_id)


@strawberry.type(
    description="An API key of a partner. The key itself is shown once, by "
    "`createApiKey`; only its prefix is kept in clear."
)
class ApiKey(nodes.DocumentNode[ApiKeyDoc], may_see=owns_key):
    name = doc_field(str, description="What the key is for.")
    prefix = doc_field(str, description="The key's first characters, to recognise it.")
    scopes = doc_field(list[Scope], description="What the key may do.")
    created_at = doc_field(datetime, description="When it was made.")
    expires_at = doc_field(
        datetime | None, description="When it stops working, if set."
    )
    revoked_at = doc_field(
        datetime | None, description="When it was revoked, if it was."
    )
    last_used_at = doc_field(
        datetime | None,
        description="When it was last used, to the minute (null: never).",
    )


@strawberry.type(
    description="An organisation that books through the API for its own "
    "customers, with API keys. Admins see every partner; a key, its own."
)
class Partner(nodes.DocumentNode[PartnerDoc], may_see_id=admin_or_own):
    name = doc_field(str, description="The organisation's name.")
    contact_email = doc_field(
        str | None,
        description="Who is emailed about its integration (a disabled webhook "
        "endpoint).",
    )
    created_at = doc_field(datetime, description="When it was added.")

    @strawberry.field(description="Its keys, newest first, revoked ones included.")
    async def api_keys(self) -> list[ApiKey]:
        assert self.doc.id is not None
        return [ApiKey(doc=key) for key in await partners.keys_of(self.doc.id)]
