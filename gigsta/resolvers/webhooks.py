"""Partners' webhook endpoints: registering, listing, disabling, enabling,
deleting, the delivery log and manual redelivery.

A partner's key with `webhooks:manage` manages its own endpoints (the scope
table checks the scope); an admin manages any partner's, naming it.
"""

from __future__ import annotations

import secrets
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Protocol

from beanie import PydanticObjectId

from gigsta.documents import Delivery, Partner, WebhookAttempt, WebhookEndpoint
from gigsta.domain.accounts import SIGN_IN_FIRST, Role, Viewer
from gigsta.domain.core import ErrorCode, UserError
from gigsta.domain.webhooks import (
    MAX_ENDPOINTS_PER_PARTNER,
    PRIVATE_MESSAGE,
    SECRET_PREFIX,
    WebhookEventType,
    url_errors,
)
from gigsta.integrations.webhook_http import UnsafeAddressError, check_host

if TYPE_CHECKING:
    from datetime import datetime

_NOT_ALLOWED = UserError(
    None, ErrorCode.NOT_ALLOWED, "Only a partner's key or an admin manages webhooks."
)
_NO_ENDPOINT = UserError("id", ErrorCode.NOT_FOUND, "No such webhook endpoint.")


@dataclass
class EndpointResult:
    endpoint: WebhookEndpoint | None = None
    # The signing secret: in the creating payload only.
    secret: str | None = None
    errors: list[UserError] = field(default_factory=list)


class EndpointChange(Protocol):
    """`disable_endpoint`, `enable_endpoint` or `delete_endpoint`."""

    async def __call__(
        self, viewer: Viewer | None, endpoint_id: PydanticObjectId, *, now: datetime
    ) -> EndpointResult: ...


@dataclass
class RedeliveryResult:
    delivery: Delivery | None = None
    errors: list[UserError] = field(default_factory=list)


async def _owner(
    viewer: Viewer | None, partner_id: PydanticObjectId | None
) -> PydanticObjectId | UserError:
    """Whose endpoints the viewer manages: its own partner's, or (an admin)
    the one it names."""
    if viewer is None:
        return SIGN_IN_FIRST
    if viewer.partner is not None:
        return PydanticObjectId(viewer.partner.partner_id)
    if viewer.role is not Role.ADMIN:
        return _NOT_ALLOWED
    if partner_id is None or await Partner.get(partner_id) is None:
        return UserError("partnerId", ErrorCode.NOT_FOUND, "Name an existing partner.")
    return partner_id


def _may_manage(viewer: Viewer | None, endpoint: WebhookEndpoint) -> bool:
    if viewer is None or endpoint.deleted:
        return False
    if viewer.partner is not None:
        return viewer.partner.partner_id == str(endpoint.partner_id)
    return viewer.role is Role.ADMIN


async def _url_refusals(url: str, allow_private: bool) -> list[UserError]:
    errors = url_errors(url, allow_private=allow_private)
    if errors:
        return errors
    try:
        await check_host(url, allow_private=allow_private)
    except UnsafeAddressError as refused:
        return [UserError("url", ErrorCode.INVALID, f"{PRIVATE_MESSAGE} ({refused})")]
    return []


async def create_endpoint(
    viewer: Viewer | None,
    *,
    partner_id: PydanticObjectId | None,
    url: str,
    event_types: list[WebhookEventType],
    allow_private: bool,
    now: datetime,
) -> EndpointResult:
    owner = await _owner(viewer, partner_id)
    if isinstance(owner, UserError):
        return EndpointResult(errors=[owner])
    errors = await _url_refusals(url.strip(), allow_private)
    if not event_types:
        message = "Subscribe to at least one event type."
        errors.append(UserError("eventTypes", ErrorCode.INVALID, message))
    live = await WebhookEndpoint.find({"partner_id": owner, "deleted": False}).count()
    if live >= MAX_ENDPOINTS_PER_PARTNER:
        message = f"A partner may have {MAX_ENDPOINTS_PER_PARTNER} endpoints."
        errors.append(UserError(None, ErrorCode.TOO_LONG, message))
    if errors:
        return EndpointResult(errors=errors)
    secret = SECRET_PREFIX + secrets.token_urlsafe(32)
    endpoint = WebhookEndpoint(
        partner_id=owner,
        url=url.strip(),
        event_types=sorted(set(event_types)),
        secret=secret,
        created_at=now,
    )
    await endpoint.insert()
    return EndpointResult(endpoint=endpoint, secret=secret)


async def endpoints_of(
    viewer: Viewer | None, partner_id: PydanticObjectId | None
) -> list[WebhookEndpoint]:
    """A partner key's own endpoints, or (an admin) a named partner's."""
    owner = await _owner(viewer, partner_id)
    if isinstance(owner, UserError):
        return []
    query = {"partner_id": owner, "deleted": False}
    return await WebhookEndpoint.find(query).sort("_id").to_list()


async def endpoint_for(
    viewer: Viewer | None, endpoint_id: PydanticObjectId
) -> WebhookEndpoint | None:
    endpoint = await WebhookEndpoint.get(endpoint_id)
    if endpoint is None or not _may_manage(viewer, endpoint):
        return None
    return endpoint


async def disable_endpoint(
    viewer: Viewer | None, endpoint_id: PydanticObjectId, *, now: datetime
) -> EndpointResult:
    """Stop sending to an endpoint (its pending deliveries die at their next
    attempt)."""
    state: dict[str, object] = {
        "enabled": False,
        "disabled_at": now,
        "disabled_reason": "Disabled by its owner.",
    }
    return await _switch(viewer, endpoint_id, {"enabled": True}, state)


async def enable_endpoint(
    viewer: Viewer | None, endpoint_id: PydanticObjectId, *, now: datetime
) -> EndpointResult:
    """Send to a disabled endpoint again, its run of failures forgotten (new
    events only: what it missed is sent again with `redeliver`)."""
    state: dict[str, object] = {
        "enabled": True,
        "disabled_at": None,
        "disabled_reason": None,
        "failing_since": None,
    }
    return await _switch(viewer, endpoint_id, {"enabled": False}, state)


async def _switch(
    viewer: Viewer | None,
    endpoint_id: PydanticObjectId,
    when: dict[str, object],
    state: dict[str, object],
) -> EndpointResult:
    """Set `state` on an endpoint (not deleted: `endpoint_for` refuses those)
    that matches `when`; the endpoint as it is after, whether or not it was
    already so."""
    endpoint = await endpoint_for(viewer, endpoint_id)
    if endpoint is None:
        return EndpointResult(errors=[_NO_ENDPOINT])
    await WebhookEndpoint.get_pymongo_collection().update_one(
        {"_id": endpoint.id, "deleted": False, **when}, {"$set": state}
    )
    return EndpointResult(endpoint=await WebhookEndpoint.get(endpoint_id))


async def delete_endpoint(
    viewer: Viewer | None, endpoint_id: PydanticObjectId, *, now: datetime
) -> EndpointResult:
    """Delete an endpoint: marked deleted (its delivery log stays for
    admins), never shown or sent to again."""
    state: dict[str, object] = {"deleted": True, "enabled": False, "disabled_at": now}
    return await _switch(viewer, endpoint_id, {}, state)


async def deliveries_of(
    endpoint: WebhookEndpoint, first: int, after: PydanticObjectId | None
) -> tuple[list[Delivery], bool]:
    """An endpoint's deliveries, newest first, after a cursor; and whether
    there are more."""
    query: dict[str, object] = {
        "channel": "webhook",
        "payload.endpoint_id": endpoint.id,
    }
    if after is not None:
        query["_id"] = {"$lt": after}
    found = await Delivery.find(query).sort("-_id").limit(first + 1).to_list()
    return found[:first], len(found) > first


async def attempts_of(delivery_id: PydanticObjectId) -> list[WebhookAttempt]:
    return await WebhookAttempt.find({"delivery_id": delivery_id}).sort("_id").to_list()


async def redeliver(
    viewer: Viewer | None, delivery_id: PydanticObjectId, *, now: datetime
) -> RedeliveryResult:
    """Queue a fresh attempt of a delivery, sent or dead, due now, with a new
    3-day retry window. The body (and its event id) is the same: a receiver
    that already has it sees a replay."""
    delivery = await Delivery.get(delivery_id)
    endpoint = None
    if delivery is not None and delivery.channel == "webhook":
        endpoint = await endpoint_for(viewer, delivery.payload["endpoint_id"])
    if delivery is None or endpoint is None:
        message = "No such webhook delivery."
        return RedeliveryResult(errors=[UserError("id", ErrorCode.NOT_FOUND, message)])
    if not endpoint.enabled:
        message = "The endpoint is disabled."
        return RedeliveryResult(errors=[UserError("id", ErrorCode.INVALID, message)])
    await Delivery.get_pymongo_collection().update_one(
        {"_id": delivery_id, "lease_token": None},
        {
            "$set": {
                "status": "pending",
                "next_attempt_at": now,
                "retry_from": now,
                "attempts": 0,
            }
        },
    )
    return RedeliveryResult(delivery=await Delivery.get(delivery_id))
