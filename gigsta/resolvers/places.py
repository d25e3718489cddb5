"""Places: address suggestions with signed tokens, service areas, and the
search for workers whose area covers a point."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from beanie import PydanticObjectId

from gigsta.documents import Worker
from gigsta.documents.places import GeoPoint, PlaceAddress
from gigsta.domain.core import ClientError, ErrorCode, UserError, too_long
from gigsta.domain.places import (
    MAX_ADDRESS_TOKEN_LENGTH,
    MAX_SERVICE_RADIUS_KM,
    Address,
    address_token_error,
    distance_km,
    read_address,
    sign_address,
    valid_coordinates,
    validate_query,
    validate_service_radius,
)
from gigsta.domain.services import SERVICE_CATALOGUE
from gigsta.integrations.addressable import AddressableClient, AddressLookupError
from gigsta.resolvers.core import rate_limits
from gigsta.resolvers.core.pagination import (
    ListOrder,
    Page,
    PageRequest,
    Paging,
    key_then_id,
)

MAX_SUGGESTIONS = 10


@dataclass(frozen=True, slots=True)
class Suggestion:
    address: Address
    token: str


async def address_suggestions(
    client: AddressableClient | None,
    *,
    query: str,
    country: str,
    first: int,
    secret: str,
    now: datetime,
    client_key: str,
    per_minute: int,
) -> list[Suggestion]:
    """Suggestions from Addressable, each with a token the mutations trust.

    `client_key` names who is asking (a user id, or the client's address when
    anonymous); each may make `per_minute` lookups a minute.
    """
    errors = validate_query(query)
    if errors:
        raise ClientError(errors[0].code, errors[0].message)
    if not await rate_limits.allow(
        "address_lookup",
        client_key,
        limit=per_minute,
        window=timedelta(minutes=1),
        now=now,
    ):
        raise ClientError(
            ErrorCode.RATE_LIMITED,
            "Too many address lookups. Wait a minute and try again.",
        )
    if client is None:
        raise ClientError(
            ErrorCode.ADDRESS_LOOKUP_UNAVAILABLE,
            "Address lookup is not configured on this server.",
        )
    if first < 1:
        raise ClientError(ErrorCode.BAD_USER_INPUT, "`first` must be at least 1.")
    try:
        addresses = await client.autocomplete(
            query, country, min(first, MAX_SUGGESTIONS)
        )
    except AddressLookupError as exc:
        raise ClientError(exc.code, exc.message) from exc
    return [Suggestion(a, sign_address(a, secret=secret, now=now)) for a in addresses]


def address_from_token(
    token: str, *, field: str, secret: str, now: datetime
) -> Address | UserError:
    if len(token) > MAX_ADDRESS_TOKEN_LENGTH:
        return too_long(field, MAX_ADDRESS_TOKEN_LENGTH)
    address = read_address(token, secret=secret, now=now)
    return address_token_error(field) if address is None else address


def covers(worker: Worker, address: PlaceAddress) -> bool:
    """Whether the worker's service area includes the address (no base: no)."""
    base = worker.base_address
    if base is None or worker.service_radius_km is None:
        return False
    return (
        distance_km(
            base.location.latitude,
            base.location.longitude,
            address.location.latitude,
            address.location.longitude,
        )
        <= worker.service_radius_km
    )


def distance_from_base_km(worker: Worker, address: PlaceAddress) -> float | None:
    base = worker.base_address
    if base is None:
        return None
    return distance_km(
        base.location.latitude,
        base.location.longitude,
        address.location.latitude,
        address.location.longitude,
    )


def service_area_errors(worker: Worker, address: PlaceAddress) -> list[UserError]:
    """For `requestBooking`: the job must be inside the worker's service area."""
    if worker.base_address is None or worker.service_radius_km is None:
        return []  # a worker without an area has not limited where they work
    if not covers(worker, address):
        return [
            UserError(
                "addressToken",
                ErrorCode.OUTSIDE_SERVICE_AREA,
                f"{worker.name} does not work at this address "
                f"(their area is {worker.service_radius_km:g} km around "
                f"{worker.base_address.locality or worker.base_address.city}).",
            )
        ]
    return []


# --- Search ----------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class NearPoint:
    latitude: float
    longitude: float


def _distance(value: object) -> float:
    if isinstance(value, bool) or not isinstance(value, int | float):
        raise TypeError(value)
    return float(value)


# Nearest first; the id breaks ties between workers at the same distance. The
# items are (worker, distance in metres).
NEAR_ORDER: ListOrder[tuple[Worker, float]] = ListOrder(
    "worker_near",
    [("distance_m", 1), ("_id", 1)],
    values=lambda hit: [hit[1], str(hit[0].id)],
    parse=key_then_id(_distance),
)


def _near_stages(
    point: NearPoint,
    service: str | None,
    request: PageRequest,
    excluded: list[PydanticObjectId] | None = None,
) -> list[dict[str, Any]]:
    """`$geoNear` within the largest radius, then each worker's own radius,
    then the page's bounds in `(distance, _id)`."""
    candidates: dict[str, Any] = {"service_radius_km": {"$gt": 0}}
    if service is not None:
        candidates["services"] = service
    if excluded is not None:
        candidates["_id"] = {"$nin": excluded}
    stages: list[dict[str, Any]] = [
        {
            "$geoNear": {
                "near": GeoPoint.at(point.latitude, point.longitude).model_dump(),
                "key": "base_address.location",
                "distanceField": "distance_m",
                "spherical": True,
                "maxDistance": MAX_SERVICE_RADIUS_KM * 1000,
                "query": candidates,
            }
        },
        {
            "$match": {
                "$expr": {
                    "$lte": [
                        "$distance_m",
                        {"$multiply": ["$service_radius_km", 1000]},
                    ]
                }
            }
        },
    ]
    stages += [{"$match": clause} for clause in request.bounds(NEAR_ORDER.keys)]
    return stages


async def search_workers_near(
    point: NearPoint,
    paging: Paging,
    *,
    service: str | None,
    excluded: list[PydanticObjectId] | None = None,
) -> Page[tuple[Worker, float]]:
    """Workers whose service area covers `point`, nearest first, with distances.

    One `$geoNear` stage (which needs the 2dsphere index of migration 0004)
    returns candidates within the largest radius anyone may have, with the
    distance in metres; a `$match` with `$expr` then keeps those whose own
    radius reaches the point. `$geoNear` supports both, on MongoDB and on the
    embedded SecantusDB, unlike `$near`, whose single `$maxDistance` cannot
    vary per document and which reports no distance. Pages continue after
    `(distance, _id)`, the sort order.
    """
    if not valid_coordinates(point.latitude, point.longitude):
        raise ClientError(
            ErrorCode.BAD_USER_INPUT,
            "`near` needs a latitude in [-90, 90] and a longitude in [-180, 180].",
        )
    if service is not None and service not in SERVICE_CATALOGUE:
        raise ClientError(
            ErrorCode.UNKNOWN_SERVICE,
            "Unknown service. Choose one from the `services` query.",
        )
    request = paging.request(NEAR_ORDER.decode)
    stages = _near_stages(point, service, request, excluded)
    stages += [
        {"$sort": {name: int(way) for name, way in request.sort(NEAR_ORDER.keys)}},
        {"$limit": request.size + 1},
    ]
    collection = Worker.get_pymongo_collection()
    cursor = await collection.aggregate(stages)
    rows = await cursor.to_list(None)
    hits: list[tuple[Worker, float]] = []
    for row in rows:
        distance_m = float(row.pop("distance_m"))
        hits.append((Worker.model_validate(row), distance_m))
    page = request.page(hits, NEAR_ORDER.cursor)
    return Page(
        items=[((w, d / 1000), c) for (w, d), c in page.items],
        has_next_page=page.has_next_page,
        has_previous_page=page.has_previous_page,
    )


# --- Used by requestBooking and updateWorkerProfile --------------------------


def booking_address(
    token: str | None, *, secret: str, now: datetime
) -> tuple[PlaceAddress | None, list[UserError]]:
    """The address a booking request's token vouches for (None without one)."""
    if token is None:
        return None, []
    address = address_from_token(token, field="addressToken", secret=secret, now=now)
    if isinstance(address, UserError):
        return None, [address]
    return PlaceAddress.from_domain(address), []


def booking_area_errors(
    worker: Worker, address: PlaceAddress | None
) -> list[UserError]:
    if address is None:
        return []
    if address.country != worker.country.value:
        return [
            UserError(
                "addressToken",
                ErrorCode.OUTSIDE_SERVICE_AREA,
                f"{worker.name} works in {worker.country.value} only.",
            )
        ]
    return service_area_errors(worker, address)


def service_area_changes(
    base_address_token: str | None,
    service_radius_km: float | None,
    *,
    secret: str,
    now: datetime,
) -> tuple[dict[str, object], list[UserError]]:
    """The `$set` for a new base address and/or radius, or the errors."""
    changes: dict[str, object] = {}
    errors: list[UserError] = []
    if base_address_token is not None:
        address = address_from_token(
            base_address_token, field="baseAddressToken", secret=secret, now=now
        )
        if isinstance(address, UserError):
            errors.append(address)
        else:
            changes["base_address"] = PlaceAddress.from_domain(address).model_dump()
    if service_radius_km is not None:
        errors += validate_service_radius(service_radius_km)
        changes["service_radius_km"] = service_radius_km
    return changes, errors


def base_country_errors(worker: Worker, changes: dict[str, object]) -> list[UserError]:
    base = changes.get("base_address")
    if isinstance(base, dict) and base.get("country") != worker.country.value:
        return [
            UserError(
                "baseAddressToken",
                ErrorCode.INVALID,
                f"Choose a base address in {worker.country.value}.",
            )
        ]
    return []
