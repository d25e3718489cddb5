"""Worker profiles: read, list, edit."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import TYPE_CHECKING, Any

from gigsta.documents import Worker
from gigsta.domain.accounts import Role, Viewer, own_profile_id, profile_changes
from gigsta.domain.bookings.requests import WorkerOffer
from gigsta.domain.core import ErrorCode, UserError
from gigsta.resolvers import places
from gigsta.resolvers.core.ids import parse_object_id
from gigsta.resolvers.core.pagination import (
    ListOrder,
    Page,
    Paging,
    cursor_id,
    find_page,
)

if TYPE_CHECKING:
    from beanie import PydanticObjectId


@dataclass
class WorkerResult:
    worker: Worker | None = None
    errors: list[UserError] = field(default_factory=list)


def worker_offer(worker: Worker | None) -> WorkerOffer | None:
    """What the domain checks a booking request against, from the profile."""
    if worker is None:
        return None
    return WorkerOffer(name=worker.name, services=frozenset(worker.services))


async def get_worker(worker_id: str) -> Worker | None:
    oid = parse_object_id(worker_id)
    return None if oid is None else await Worker.get(oid)


WORKER_ORDER: ListOrder[Worker] = ListOrder(
    "worker",
    [("_id", 1)],
    values=lambda worker: [str(worker.id)],
    parse=lambda values: [cursor_id(values[0])],
)


async def list_workers(
    paging: Paging,
    *,
    service: str | None = None,
    excluded: list[PydanticObjectId] | None = None,
) -> Page[Worker]:
    """Workers in a stable order (by id), a page capped at 100, leaving out
    `excluded` (those unavailable at a searched time)."""
    request = paging.request(WORKER_ORDER.decode)
    clauses: list[dict[str, Any]] = request.bounds(WORKER_ORDER.keys)
    if service is not None:
        clauses.append({"services": service})
    if excluded is not None:
        clauses.append({"_id": {"$nin": excluded}})
    query = {"$and": clauses} if clauses else {}
    return await find_page(Worker, query, WORKER_ORDER, request)


async def update_worker_profile(
    viewer: Viewer | None,
    *,
    name: str | None,
    bio: str | None,
    services: list[str] | None,
    hourly_rate_cents: int | None,
    now: datetime,
    base_address_token: str | None = None,
    service_radius_km: float | None = None,
    address_secret: str = "",
) -> WorkerResult:
    profile_id = own_profile_id(
        viewer, Role.WORKER, "Only workers have a worker profile."
    )
    if isinstance(profile_id, UserError):
        return WorkerResult(errors=[profile_id])
    changes, errors = profile_changes(
        name=name, bio=bio, services=services, hourly_rate_cents=hourly_rate_cents
    )
    area_changes, area_errors = places.service_area_changes(
        base_address_token, service_radius_km, secret=address_secret, now=now
    )
    errors += area_errors
    changes.update(area_changes)
    if errors:
        return WorkerResult(errors=errors)
    oid = parse_object_id(profile_id)
    worker = await Worker.get(oid) if oid else None
    if worker is None:
        return WorkerResult(
            errors=[UserError(None, ErrorCode.NOT_FOUND, "Worker profile not found.")]
        )
    errors = places.base_country_errors(worker, changes)
    if errors:
        return WorkerResult(errors=errors)
    if changes:
        changes["updated_at"] = now
        # One atomic `$set` of just the edited fields: concurrent edits of other
        # fields are never overwritten by a stale copy of the document.
        await worker.set(changes)
    return WorkerResult(worker=worker)
