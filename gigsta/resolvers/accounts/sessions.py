"""Sessions: a bearer token is only as good as the live account behind it."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from gigsta.documents import User
from gigsta.domain.accounts import SIGN_IN_FIRST
from gigsta.domain.core import UserError
from gigsta.resolvers.accounts.credentials import InvalidTokenError, read_token
from gigsta.resolvers.core.ids import parse_object_id

if TYPE_CHECKING:
    from datetime import datetime

    from gigsta.domain.accounts import Viewer


@dataclass(frozen=True, slots=True)
class Session:
    viewer: Viewer
    user: User
    # None: the credential does not expire by itself (an API key without one).
    expires_at: datetime | None = None


async def authenticate(token: str, *, secret: str, now: datetime) -> Session:
    """The caller named by a valid token whose account still exists and has not
    revoked it since (same `token_version`, same role).

    Read from MongoDB on every request, with no cache in the process: a
    revocation or a deleted account counts at once on every instance, for the
    price of one lookup by `_id`.
    """
    claims = read_token(token, secret=secret, now=now)
    oid = parse_object_id(claims.viewer.user_id)
    user = await User.get(oid) if oid is not None else None
    if (
        user is None
        or user.token_version != claims.version
        or user.role is not claims.viewer.role
    ):
        raise InvalidTokenError("The access token is no longer valid. Sign in again.")
    return Session(viewer=claims.viewer, user=user, expires_at=claims.expires_at)


async def log_out_everywhere(
    viewer: Viewer | None, *, now: datetime
) -> list[UserError]:
    """Revoke every token of the viewer's account, this one included."""
    oid = parse_object_id(viewer.user_id) if viewer is not None else None
    if oid is None:
        return [SIGN_IN_FIRST]
    await User.get_pymongo_collection().update_one(
        {"_id": oid}, {"$inc": {"token_version": 1}, "$set": {"updated_at": now}}
    )
    return []
