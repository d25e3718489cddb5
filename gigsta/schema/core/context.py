"""The per-request context handed to every resolver."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import TYPE_CHECKING, Any, TypeVar

from strawberry.dataloader import DataLoader
from strawberry.types import Info as _Info

from gigsta.domain.core import ClientError, ErrorCode

if TYPE_CHECKING:
    from collections.abc import Callable

    from starlette.requests import Request
    from starlette.responses import Response

    from gigsta.domain.accounts import Viewer
    from gigsta.runtime import Runtime

L = TypeVar("L", bound=DataLoader[Any, Any])


@dataclass
class Context:
    request: Request
    response: Response
    runtime: Runtime
    request_id: str
    viewer: Viewer | None
    now: datetime
    # The client's IP address (see `client_address`), for per-client limits.
    client_address: str
    # The operation's static cost (`query_cost.py`), once measured.
    query_cost: int | None = None
    # Filled during execution and read by the request log line.
    log_fields: dict[str, Any] = field(default_factory=dict)
    # When the viewer's token expires (live subscriptions end then).
    session_expires_at: datetime | None = None
    # A WebSocket's `connection_init` payload, and the token it carried
    # (checked again before each event a subscription delivers).
    connection_params: dict[str, Any] | None = None
    session_token: str | None = None
    _loaders: dict[Callable[[], Any], Any] = field(default_factory=dict)

    def signed_in(self, to_see: str) -> Viewer:
        """The viewer, for a field only signed-in callers may read; signed out,
        the query fails with `UNAUTHENTICATED` ("Sign in to see `to_see`.")."""
        if self.viewer is None:
            raise ClientError(ErrorCode.UNAUTHENTICATED, f"Sign in to see {to_see}.")
        return self.viewer

    def refresh(self) -> None:
        """Start afresh for the next event of a live subscription, whose
        context lasts as long as it does: the time now, no cached loads."""
        self.now = self.runtime.clock()
        self._loaders.clear()

    def loader(self, kind: Callable[[], L]) -> L:
        """This request's DataLoader of `kind`, made on first use: each domain
        keeps its loaders beside its types, and batches last one request."""
        found = self._loaders.get(kind)
        if found is None:
            found = self._loaders[kind] = kind()
        loader: L = found
        return loader


Info = _Info[Context, None]
