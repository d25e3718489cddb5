"""Bookings: request, read, list, and run state-machine transitions."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from beanie import PydanticObjectId, SortDirection
from pymongo import ReturnDocument

from gigsta.auth import Viewer
from gigsta.documents import Booking, Customer, Worker
from gigsta.documents.bookings import BookingEvent
from gigsta.documents.places import PlaceAddress
from gigsta.domain.accounts import Role
from gigsta.domain.booking_actions import (
    ActorRole,
    BookingStatus,
    Rejection,
    Transition,
    decide,
)
from gigsta.domain.errors import ErrorCode, UserError
from gigsta.domain.scheduling import validate_description, validate_window
from gigsta.domain.services import SERVICE_CATALOGUE
from gigsta.resolvers import payments as payment_service
from gigsta.resolvers import places
from gigsta.resolvers.ids import parse_object_id
from gigsta.resolvers.pagination import (
    InvalidCursorError,
    Page,
    decode_cursor,
    encode_cursor,
    page_size,
)


@dataclass
class BookingResult:
    booking: Booking | None = None
    errors: list[UserError] = field(default_factory=list)


def _error(field_name: str | None, code: ErrorCode, message: str) -> BookingResult:
    return BookingResult(errors=[UserError(field_name, code, message)])


def actor_role(viewer: Viewer | None, booking: Booking) -> ActorRole | None:
    """The viewer's role on this booking, or None when they may not see it."""
    if viewer is None:
        return None
    if viewer.role is Role.ADMIN:
        return ActorRole.ADMIN
    if viewer.role is Role.CUSTOMER and viewer.profile_id == str(booking.customer_id):
        return ActorRole.CUSTOMER
    if viewer.role is Role.WORKER and viewer.profile_id == str(booking.worker_id):
        return ActorRole.WORKER
    return None


def visibility_filter(viewer: Viewer) -> dict[str, Any]:
    """The bookings a viewer may see: their own, or all for an admin."""
    if viewer.role is Role.ADMIN:
        return {}
    oid = parse_object_id(viewer.profile_id or "")
    if oid is None:
        return {"_id": {"$exists": False}}
    if viewer.role is Role.CUSTOMER:
        return {"customer_id": oid}
    # A request reaches the worker only once the customer's card is held.
    return {"worker_id": oid, "status": {"$ne": BookingStatus.PENDING_PAYMENT.value}}


async def get_booking(viewer: Viewer | None, booking_id: str) -> Booking | None:
    oid = parse_object_id(booking_id)
    if oid is None or viewer is None:
        return None
    booking = await Booking.get(oid)
    if booking is None or actor_role(viewer, booking) is None:
        return None
    hidden = booking.status is BookingStatus.PENDING_PAYMENT
    if hidden and actor_role(viewer, booking) is ActorRole.WORKER:
        return None
    return booking


def _cursor(booking: Booking) -> str:
    return encode_cursor("booking", [booking.created_at.isoformat(), str(booking.id)])


async def list_bookings(
    viewer: Viewer,
    *,
    first: int | None,
    after: str | None,
    status: BookingStatus | None = None,
    worker_id: PydanticObjectId | None = None,
    customer_id: PydanticObjectId | None = None,
) -> Page[Booking]:
    """Bookings the viewer may see, newest first (`createdAt`, then id)."""
    limit = page_size(first)
    clauses: list[dict[str, Any]] = [visibility_filter(viewer)]
    if status is not None:
        clauses.append({"status": status.value})
    if worker_id is not None:
        clauses.append({"worker_id": worker_id})
    if customer_id is not None:
        clauses.append({"customer_id": customer_id})
    if after is not None:
        created_raw, id_raw = _decode_booking_cursor(after)
        clauses.append(
            {
                "$or": [
                    {"created_at": {"$lt": created_raw}},
                    {"created_at": created_raw, "_id": {"$lt": id_raw}},
                ]
            }
        )
    query = {"$and": clauses} if len(clauses) > 1 else clauses[0]
    docs = (
        await Booking.find(query)
        .sort(
            [
                ("created_at", SortDirection.DESCENDING),
                ("_id", SortDirection.DESCENDING),
            ]
        )
        .limit(limit + 1)
        .to_list()
    )
    return Page(
        items=[(b, _cursor(b)) for b in docs[:limit]],
        has_next_page=len(docs) > limit,
    )


def _decode_booking_cursor(cursor: str) -> tuple[datetime, PydanticObjectId]:
    values = decode_cursor("booking", cursor)
    try:
        created = datetime.fromisoformat(str(values[0]))
    except (IndexError, ValueError) as exc:
        raise InvalidCursorError("The cursor is not valid.") from exc
    oid = parse_object_id(str(values[1])) if len(values) > 1 else None
    if oid is None or created.tzinfo is None:
        raise InvalidCursorError("The cursor is not valid.")
    return created, oid


def _service_errors(worker: Worker | None, service: str) -> list[UserError]:
    if service not in SERVICE_CATALOGUE:
        return [
            UserError(
                "service",
                ErrorCode.UNKNOWN_SERVICE,
                "Unknown service. Choose one from the `services` query.",
            ),
            *([] if worker else [_WORKER_NOT_FOUND]),
        ]
    if worker is None:
        return [_WORKER_NOT_FOUND]
    if service not in worker.services:
        return [
            UserError(
                "service",
                ErrorCode.SERVICE_NOT_OFFERED,
                f"{worker.name} does not offer {SERVICE_CATALOGUE[service]}.",
            )
        ]
    return []


_WORKER_NOT_FOUND = UserError("workerId", ErrorCode.NOT_FOUND, "Worker not found.")


async def request_booking(  # noqa: PLR0911 - one return per expected failure
    viewer: Viewer | None,
    *,
    worker_id: str,
    service: str,
    description: str,
    scheduled_start: datetime,
    scheduled_end: datetime,
    now: datetime,
    address_token: str | None = None,
    address_secret: str = "",
    payment_method_id: str | None = None,
    payments: payment_service.Payments | None = None,
) -> BookingResult:
    if viewer is None:
        return _error(None, ErrorCode.UNAUTHENTICATED, "Sign in to request a booking.")
    if viewer.role is not Role.CUSTOMER or viewer.profile_id is None:
        return _error(None, ErrorCode.NOT_ALLOWED, "Only customers can book workers.")

    errors = [
        *validate_window(scheduled_start, scheduled_end, now),
        *validate_description(description),
    ]
    description = description.strip()
    address, address_errors = places.booking_address(
        address_token, secret=address_secret, now=now
    )
    errors += address_errors
    worker_oid = parse_object_id(worker_id)
    worker = await Worker.get(worker_oid) if worker_oid else None
    errors += _service_errors(worker, service)
    if worker is not None:
        errors += places.booking_area_errors(worker, address)
    if errors:
        return BookingResult(errors=errors)
    assert worker is not None
    customer = await Customer.get(PydanticObjectId(viewer.profile_id))
    if customer is None:
        return _error(None, ErrorCode.NOT_FOUND, "Customer profile not found.")
    if customer.country is not worker.country:
        return _error(
            "workerId",
            ErrorCode.NOT_ALLOWED,
            "Workers can be booked only in your own country.",
        )
    assert customer.id is not None and worker.id is not None
    async with payment_service.request_lease(
        customer.id,
        worker_id=worker.id,
        start=scheduled_start,
        end=scheduled_end,
        payment_method_id=payment_method_id if payments is not None else None,
        now=now,
    ) as acquired:
        if not acquired:
            return _error(
                None,
                ErrorCode.DUPLICATE_REQUEST,
                "An identical booking request is being processed. "
                "Look for it in your bookings in a moment.",
            )
        return await _hold_and_insert(
            viewer,
            customer=customer,
            worker=worker,
            service=service,
            description=description,
            scheduled_start=scheduled_start,
            scheduled_end=scheduled_end,
            address=address,
            payment_method_id=payment_method_id,
            payments=payments,
            now=now,
        )


async def _hold_and_insert(
    viewer: Viewer,
    *,
    customer: Customer,
    worker: Worker,
    service: str,
    description: str,
    scheduled_start: datetime,
    scheduled_end: datetime,
    address: PlaceAddress | None,
    payment_method_id: str | None,
    payments: payment_service.Payments | None,
    now: datetime,
) -> BookingResult:
    """Secure the card (when payments are on), then store the booking."""
    assert customer.id is not None and worker.id is not None
    booking_id = PydanticObjectId()
    hold = payment_service.HoldResult(status=BookingStatus.REQUESTED)
    if payments is not None:
        hold = await payment_service.prepare_request(
            payments,
            booking_id=booking_id,
            customer=customer,
            worker=worker,
            service_name=SERVICE_CATALOGUE[service],
            scheduled_start=scheduled_start,
            scheduled_end=scheduled_end,
            payment_method_id=payment_method_id,
            now=now,
        )
        if hold.errors or hold.existing:
            return BookingResult(booking=hold.existing, errors=hold.errors)
    status = hold.status or BookingStatus.REQUESTED
    booking = Booking(
        id=booking_id,
        customer_id=customer.id,
        worker_id=worker.id,
        service=service,
        description=description,
        scheduled_start=scheduled_start,
        scheduled_end=scheduled_end,
        status=status,
        version=1,
        history=[
            BookingEvent(
                action="request",
                from_status=status,
                to_status=status,
                actor_role=ActorRole.CUSTOMER,
                actor_id=viewer.user_id,
                note=(
                    "The customer requested the booking."
                    if status is BookingStatus.REQUESTED
                    else "The customer requested the booking; the card needs "
                    "the customer's authentication."
                ),
                at=now,
            )
        ],
        price=hold.price,
        payment=hold.payment,
        created_at=now,
        updated_at=now,
        address=address,
    )
    try:
        await booking.insert()
    except BaseException:
        if payments is not None and hold.payment is not None:
            await payment_service.abandon_hold(
                payments.gateway, booking_id, hold.payment
            )
        raise
    return BookingResult(booking=booking)


async def apply_transition(
    booking_id: PydanticObjectId,
    expected_version: int,
    transition: Transition,
    *,
    extra_set: dict[str, Any] | None = None,
    payment_lock_token: str | None = None,
) -> Booking | None:
    """Apply a decided transition as one conditional update.

    The filter pins `_id`, `version` and the status the decision was made from;
    the update sets the new status, bumps the version and appends the event in
    the same write. Returns the updated booking, or None when another writer
    changed the booking first (nothing is written then).

    Payments: the filter also requires that no payment call is in flight for
    another transition (`payment_lock`), or that this attempt holds it
    (`payment_lock_token`); `extra_set` records the payment's new state.
    """
    event = transition.event
    set_fields: dict[str, Any] = {
        "status": transition.to_status.value,
        "updated_at": event.at,
        **(extra_set or {}),
        "payment_lock": None,
    }
    if transition.to_status is BookingStatus.COMPLETED:
        set_fields["completed_at"] = event.at
    lock_filter: dict[str, Any] = (
        {"payment_lock.token": payment_lock_token}
        if payment_lock_token
        else {"payment_lock": None}
    )
    raw = await Booking.get_pymongo_collection().find_one_and_update(
        {
            "_id": booking_id,
            "version": expected_version,
            "status": transition.from_status.value,
            **lock_filter,
        },
        {
            "$set": set_fields,
            "$inc": {"version": 1},
            "$push": {
                "history": BookingEvent(
                    action=event.action,
                    from_status=event.from_status,
                    to_status=event.to_status,
                    actor_role=event.actor_role,
                    actor_id=event.actor_id,
                    note=event.note,
                    reason=event.reason,
                    at=event.at,
                ).model_dump(mode="python")
            },
        },
        return_document=ReturnDocument.AFTER,
    )
    return None if raw is None else Booking.model_validate(raw)


async def perform_booking_action(  # noqa: PLR0911 - one return per expected failure
    viewer: Viewer | None,
    *,
    booking_id: str,
    action: str,
    expected_version: int,
    reason: str | None,
    now: datetime,
    payments: payment_service.Payments | None = None,
) -> BookingResult:
    if viewer is None:
        return _error(None, ErrorCode.UNAUTHENTICATED, "Sign in first.")
    booking = await get_booking(viewer, booking_id)
    if booking is None or booking.id is None:
        return _error("bookingId", ErrorCode.NOT_FOUND, "Booking not found.")
    role = actor_role(viewer, booking)
    assert role is not None
    decision = decide(
        booking.facts(), action, role, now, actor_id=viewer.user_id, reason=reason
    )
    if isinstance(decision, Rejection):
        return BookingResult(
            booking=booking,
            errors=[UserError(decision.field, decision.code, decision.message)],
        )
    if expected_version != booking.version:
        return BookingResult(
            booking=booking,
            errors=[
                UserError(
                    "expectedVersion",
                    ErrorCode.VERSION_CONFLICT,
                    f"The booking changed (now version {booking.version}). "
                    "Reload it and try again.",
                )
            ],
        )
    outcome = await payment_service.run_transition(
        payments.gateway if payments else None, booking, decision, now
    )
    if outcome.errors:
        return BookingResult(booking=outcome.booking, errors=outcome.errors)
    updated = outcome.booking
    if updated is None:
        current = await Booking.get(booking.id)
        return BookingResult(
            booking=current,
            errors=[
                UserError(
                    "expectedVersion",
                    ErrorCode.VERSION_CONFLICT,
                    "Someone else changed the booking at the same moment. "
                    "Reload it and try again.",
                )
            ],
        )
    return BookingResult(booking=updated)
