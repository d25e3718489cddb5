"""The physical-limit baseline: a minimal hand-written Starlette + pymongo
endpoint serving what the GraphQL app serves, from the same database.

- `POST /bookings`: the signed-in customer's newest 20 bookings with price,
  worker and available actions, as the same JSON the GraphQL page query
  answers (the benchmark checks that they are equal). Same work as the app
  where it matters: the JWT is checked and its account read (revocation), the
  page is one sorted query, the workers one `$in`; the actions come from the
  same pure action table. With `?cost=N&capacity=C&rate=R` (what the app
  reports in `extensions.cost` for that page), the page is first charged to
  the caller's shared query-cost bucket through the app's own
  `query_buckets.charge`, as the app charges every signed-in request: the
  baseline that does that work too.
- `POST /accept`: the worker accepts a booking: read it, decide with the
  action table, then one conditional update (`_id`, `version`, `status`) and
  its event in one transaction, as the app must.

Run by `bench.side_by_side` under uvicorn (uvloop, httptools):
`python -m bench.raw_endpoint` with MONGODB_URI, MONGODB_DB,
GIGSTA_JWT_SECRET and GIGSTA_PORT set.
"""

from __future__ import annotations

import base64
import json
import os
import time
from contextlib import asynccontextmanager
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any

import jwt
from beanie import init_beanie
from bson import ObjectId
from pymongo import AsyncMongoClient
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

from gigsta.documents import User
from gigsta.domain.bookings.actions import (
    ActorRole,
    BookingFacts,
    BookingStatus,
    Rejection,
    available_actions,
    decide,
)
from gigsta.domain.partners import LeakyBucket
from gigsta.resolvers.core import query_buckets

if TYPE_CHECKING:
    from collections.abc import AsyncIterator

SECRET = os.environ.get("GIGSTA_JWT_SECRET", "")
client: AsyncMongoClient[dict[str, Any]] = AsyncMongoClient(
    os.environ.get("MONGODB_URI", "mongodb://127.0.0.1:27017"), tz_aware=True
)
db = client[os.environ.get("MONGODB_DB", "gigsta")]


def _global_id(kind: str, oid: object) -> str:
    return base64.b64encode(f"{kind}:{oid}".encode()).decode()


async def _viewer(request: Request) -> dict[str, Any] | None:
    """The token's claims, if it is ours and its account has not revoked it."""
    header = request.headers.get("authorization", "")
    try:
        claims: dict[str, Any] = jwt.decode(
            header.removeprefix("Bearer "), SECRET, algorithms=["HS256"]
        )
    except jwt.PyJWTError:
        return None
    user = await db["users"].find_one({"_id": ObjectId(claims["sub"])})
    if user is None or user.get("token_version", 0) != claims.get("ver", 0):
        return None
    return claims


async def _charged(request: Request, claims: dict[str, Any]) -> bool:
    """Whether the page's cost, when the request names one, was taken from
    the caller's bucket (the same bucket and function as the app's)."""
    params = request.query_params
    if "cost" not in params:
        return True
    bucket = LeakyBucket(int(params["capacity"]), int(params["rate"]))
    charged = await query_buckets.charge(
        f"user:{claims['sub']}", int(params["cost"]), bucket, now=time.time()
    )
    return charged.allowed


def _facts(booking: dict[str, Any]) -> BookingFacts:
    return BookingFacts(
        status=BookingStatus(booking["status"]),
        requested_at=booking["created_at"],
        scheduled_start=booking["scheduled_start"],
        completed_at=booking.get("completed_at"),
    )


def _node(
    booking: dict[str, Any], worker: dict[str, Any], now: datetime
) -> dict[str, Any]:
    price = booking["price"]
    return {
        "id": _global_id("Booking", booking["_id"]),
        "status": booking["status"].upper(),
        "version": booking["version"],
        "price": {
            "total": price["total"],
            "gstIncluded": price["gst_included"],
            "currency": price["currency"],
        },
        "worker": {"id": _global_id("Worker", worker["_id"]), "name": worker["name"]},
        "availableActions": [
            {
                "actionName": rule.name,
                "buttonLabel": rule.button_label,
                "isCritical": rule.is_critical,
            }
            for rule in available_actions(_facts(booking), ActorRole.CUSTOMER, now)
        ],
    }


async def bookings(request: Request) -> Response:
    claims = await _viewer(request)
    if claims is None or claims.get("role") != "CUSTOMER":
        return JSONResponse({"errors": [{"message": "unauthenticated"}]}, 401)
    if not await _charged(request, claims):
        return JSONResponse({"errors": [{"message": "throttled"}]}, 429)
    page = (
        await db["bookings"]
        .find({"customer_id": ObjectId(claims["pid"])})
        .sort([("created_at", -1), ("_id", -1)])
        .limit(21)
        .to_list()
    )
    page = page[:20]
    ids = list({b["worker_id"] for b in page})
    workers = {w["_id"]: w async for w in db["workers"].find({"_id": {"$in": ids}})}
    now = datetime.now(UTC)
    edges = [{"node": _node(b, workers[b["worker_id"]], now)} for b in page]
    body = {"data": {"bookings": {"edges": edges}}}
    return Response(json.dumps(body), media_type="application/json")


async def accept(request: Request) -> Response:
    claims = await _viewer(request)
    payload = await request.json()
    if claims is None or claims.get("role") != "WORKER":
        return JSONResponse({"errors": [{"message": "unauthenticated"}]}, 401)
    booking = await db["bookings"].find_one({"_id": ObjectId(payload["bookingId"])})
    if booking is None or str(booking["worker_id"]) != claims["pid"]:
        return JSONResponse({"errors": ["NOT_FOUND"]})
    now = datetime.now(UTC)
    decision = decide(
        _facts(booking), "accept", ActorRole.WORKER, now, actor_id=claims["sub"]
    )
    if isinstance(decision, Rejection):
        return JSONResponse({"errors": ["INVALID_TRANSITION"]})
    event = decision.event
    async with client.start_session() as session, await session.start_transaction():
        updated = await db["bookings"].update_one(
            {
                "_id": booking["_id"],
                "version": booking["version"],
                "status": "requested",
            },
            {
                "$set": {"status": event.to_status.value, "updated_at": now},
                "$inc": {"version": 1},
                "$push": {"history": {"action": "accept", "at": now}},
            },
            session=session,
        )
        if updated.modified_count != 1:
            await session.abort_transaction()
            return JSONResponse({"errors": ["VERSION_CONFLICT"]})
        await db["events"].insert_one(
            {"type": "booking.status_changed", "booking_id": booking["_id"], "at": now},
            session=session,
        )
    return JSONResponse({"status": event.to_status.value.upper()})


@asynccontextmanager
async def _documents(_: Starlette) -> AsyncIterator[None]:
    # `query_buckets` reaches its collection through the document models.
    await init_beanie(database=db, document_models=[User], skip_indexes=True)
    yield


app = Starlette(
    lifespan=_documents,
    routes=[
        Route("/bookings", bookings, methods=["POST"]),
        Route("/accept", accept, methods=["POST"]),
        Route("/healthz", lambda _: JSONResponse({"status": "ok"})),
    ],
)


def main() -> None:
    import uvicorn  # noqa: PLC0415 - only the server needs it

    uvicorn.run(
        app,
        host="127.0.0.1",
        port=int(os.environ["GIGSTA_PORT"]),
        loop="uvloop",
        http="httptools",
        log_level="warning",
        access_log=False,
    )


if __name__ == "__main__":
    main()
