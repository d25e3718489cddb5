"""Who is on the other end of a WebSocket: the token in `connection_init`.

Browsers cannot set headers on a WebSocket, so the clients (graphql-ws,
Apollo, urql) send the token as the `connection_init` payload, as
`{"Authorization": "Bearer <token>"}`. It is checked like a request's
header (signature, expiry, the account's token version). Refused, the socket
closes with 4403 Forbidden (`graphql-transport-ws`; the legacy protocol
sends `connection_error`); a subscribe before the acknowledgement closes it
with 4401 Unauthorized. Which origins may open one is the same list as for
cross-origin requests (`GIGSTA_CORS_ORIGINS`), checked at the handshake.
"""

from __future__ import annotations

import logging
import uuid
from typing import TYPE_CHECKING, Any

from strawberry.exceptions import ConnectionRejectionError
from strawberry.types.unset import UNSET

from gigsta.database import is_unavailable
from gigsta.resolvers.accounts.credentials import InvalidTokenError
from gigsta.resolvers.accounts.sessions import authenticate

if TYPE_CHECKING:
    from strawberry.types.unset import UnsetType

    from gigsta.schema.core.context import Context

log = logging.getLogger("gigsta.graphql")

_SEND_TOKEN = 'Send {"Authorization": "Bearer <token>"} as the connection_init payload.'


def bearer_token(params: dict[str, Any] | None) -> str | None:
    """The token of an `Authorization` entry (any case) of `params`."""
    for key, value in (params or {}).items():
        if key.lower() == "authorization" and isinstance(value, str):
            scheme, _, token = value.partition(" ")
            if scheme.lower() == "bearer" and token.strip():
                return token.strip()
    return None


def _refuse(message: str, code: str) -> ConnectionRejectionError:
    return ConnectionRejectionError({"message": message, "code": code})


class WebSocketSessions:
    """The view's `on_ws_connect`: sign the connection in, or refuse it."""

    async def on_ws_connect(self, context: Context) -> UnsetType | dict[str, object]:
        token = bearer_token(context.connection_params)
        if token is None:
            raise _refuse(_SEND_TOKEN, "UNAUTHENTICATED")
        runtime = context.runtime
        try:
            session = await authenticate(
                token,
                secret=runtime.settings.require_jwt_secret(),
                now=runtime.clock(),
            )
        except InvalidTokenError as exc:
            raise _refuse(str(exc), "UNAUTHENTICATED") from exc
        except Exception as exc:
            if not is_unavailable(exc):
                raise
            log.warning("WebSocket sign-in refused: the database is unavailable")
            raise _refuse("Try again shortly.", "DATABASE_UNAVAILABLE") from exc
        context.viewer = session.viewer
        context.session_expires_at = session.expires_at
        context.session_token = token
        # One id for the connection: an error in any of its subscriptions is
        # logged, and shown masked, with it.
        context.request_id = uuid.uuid4().hex
        log.info(
            "WebSocket signed in",
            extra={"request_id": context.request_id, "user_id": session.viewer.user_id},
        )
        acknowledged: UnsetType = UNSET
        return acknowledged
