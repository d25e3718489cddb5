"""The per-request context handed to every resolver."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import TYPE_CHECKING, Any

from strawberry.types import Info as _Info

from gigsta.schema.dataloaders import Loaders

if TYPE_CHECKING:
    from starlette.requests import Request
    from starlette.responses import Response

    from gigsta.auth import Viewer
    from gigsta.runtime import Runtime


@dataclass
class Context:
    request: Request
    response: Response
    runtime: Runtime
    request_id: str
    viewer: Viewer | None
    now: datetime
    loaders: Loaders = field(default_factory=Loaders)
    # Filled during execution and read by the request log line.
    log_fields: dict[str, Any] = field(default_factory=dict)


Info = _Info[Context, None]
