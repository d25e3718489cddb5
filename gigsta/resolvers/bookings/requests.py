"""`requestBooking`: check the request, secure the card, store the booking."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import TYPE_CHECKING

from beanie import PydanticObjectId

from gigsta.documents import Booking, Customer, Worker
from gigsta.documents import booking_store as store
from gigsta.documents.availability import release_claim
from gigsta.documents.bookings import BookingEvent
from gigsta.domain.accounts import Role, Viewer
from gigsta.domain.availability import Interval
from gigsta.domain.bookings.actions import ActorRole, BookingStatus
from gigsta.domain.bookings.requests import (
    request_errors,
    validate_description,
    validate_payment_method,
)
from gigsta.domain.core import ErrorCode, UserError
from gigsta.domain.services import SERVICE_CATALOGUE
from gigsta.domain.time_zones import booking_time_zone
from gigsta.resolvers import availability, places
from gigsta.resolvers.accounts.workers import worker_offer
from gigsta.resolvers.core.critical import run_to_completion
from gigsta.resolvers.core.ids import parse_object_id
from gigsta.resolvers.payments import holds

if TYPE_CHECKING:
    from gigsta.documents.places import PlaceAddress
    from gigsta.resolvers.payments.config import Payments


@dataclass
class BookingResult:
    booking: Booking | None = None
    errors: list[UserError] = field(default_factory=list)


def booking_error(
    field_name: str | None, code: ErrorCode, message: str
) -> BookingResult:
    return BookingResult(errors=[UserError(field_name, code, message)])


@dataclass(frozen=True)
class BookingRequest:
    """A customer's request, as the mutation received it."""

    worker_id: str
    service: str
    description: str
    scheduled_start: datetime
    scheduled_end: datetime
    address_token: str | None = None
    payment_method_id: str | None = None


async def request_booking(
    viewer: Viewer | None,
    request: BookingRequest,
    *,
    now: datetime,
    address_secret: str = "",
    payments: Payments | None = None,
) -> BookingResult:
    if viewer is None:
        return booking_error(
            None, ErrorCode.UNAUTHENTICATED, "Sign in to request a booking."
        )
    if viewer.role is not Role.CUSTOMER or viewer.profile_id is None:
        return booking_error(
            None, ErrorCode.NOT_ALLOWED, "Only customers can book workers."
        )
    worker_oid = parse_object_id(request.worker_id)
    worker = await Worker.get(worker_oid) if worker_oid else None
    address, address_errors = places.booking_address(
        request.address_token, secret=address_secret, now=now
    )
    errors = [
        *request_errors(
            worker_offer(worker),
            service=request.service,
            start=request.scheduled_start,
            end=request.scheduled_end,
            now=now,
        ),
        *validate_description(request.description),
        *validate_payment_method(request.payment_method_id),
        *address_errors,
    ]
    if worker is not None:
        errors += places.booking_area_errors(worker, address)
    if errors:
        return BookingResult(errors=errors)
    assert worker is not None
    customer = await Customer.get(PydanticObjectId(viewer.profile_id))
    if customer is None:
        return booking_error(None, ErrorCode.NOT_FOUND, "Customer profile not found.")
    if customer.country is not worker.country:
        return booking_error(
            "workerId",
            ErrorCode.NOT_ALLOWED,
            "Workers can be booked only in your own country.",
        )
    # A card hold placed for a booking not yet stored must not be left behind
    # by a cancelled request: the lease, the hold and the insert run to the end.
    return await run_to_completion(
        _request_once(
            _CheckedRequest(viewer, request, customer, worker, address, payments, now)
        )
    )


@dataclass(frozen=True, slots=True)
class _CheckedRequest:
    """A request that passed every check, with the parties it names."""

    viewer: Viewer
    request: BookingRequest
    customer: Customer
    worker: Worker
    address: PlaceAddress | None
    payments: Payments | None
    now: datetime


async def _request_once(checked: _CheckedRequest) -> BookingResult:
    """Hold and insert, with identical concurrent requests serialised."""
    request, customer, worker = checked.request, checked.customer, checked.worker
    payments, now = checked.payments, checked.now
    assert customer.id is not None and worker.id is not None
    async with holds.request_lease(
        customer.id,
        worker_id=worker.id,
        start=request.scheduled_start,
        end=request.scheduled_end,
        payment_method_id=request.payment_method_id if payments else None,
        now=now,
    ) as acquired:
        if not acquired:
            return booking_error(
                None,
                ErrorCode.DUPLICATE_REQUEST,
                "An identical booking request is being processed. "
                "Look for it in your bookings in a moment.",
            )
        return await _hold_and_insert(checked)


async def _hold_and_insert(checked: _CheckedRequest) -> BookingResult:
    """Claim the worker's time, then store the booking (see `_insert`); the
    claim is released if no booking comes of it."""
    request, worker = checked.request, checked.worker
    assert checked.customer.id is not None and worker.id is not None
    booking_id = PydanticObjectId()
    refusal = await availability.hold_time(
        worker,
        booking_id,
        Interval(request.scheduled_start, request.scheduled_end),
        now=checked.now,
    )
    if refusal is not None:
        # The same request sent again finds its own booking in the way.
        retried = (
            await holds.find_retried_request(
                checked.customer.id,
                worker.id,
                request.scheduled_start,
                request.scheduled_end,
                request.payment_method_id,
            )
            if checked.payments is not None and request.payment_method_id
            else None
        )
        return BookingResult(booking=retried, errors=[] if retried else [refusal])
    try:
        result = await _insert(checked, booking_id)
    except BaseException:
        await release_claim(worker.id, booking_id)
        raise
    if result.booking is None or result.booking.id != booking_id:
        await release_claim(worker.id, booking_id)
    return result


async def _insert(
    checked: _CheckedRequest, booking_id: PydanticObjectId
) -> BookingResult:
    """Secure the card (when payments are on), then store the booking."""
    request, customer, worker = checked.request, checked.customer, checked.worker
    payments, now = checked.payments, checked.now
    assert customer.id is not None and worker.id is not None
    hold = holds.HoldResult(status=BookingStatus.REQUESTED)
    if payments is not None:
        hold = await holds.prepare_request(
            payments,
            booking_id=booking_id,
            customer=customer,
            worker=worker,
            service_name=SERVICE_CATALOGUE[request.service],
            scheduled_start=request.scheduled_start,
            scheduled_end=request.scheduled_end,
            payment_method_id=request.payment_method_id,
            now=now,
        )
        if hold.errors or hold.existing:
            return BookingResult(booking=hold.existing, errors=hold.errors)
    status = hold.status or BookingStatus.REQUESTED
    booking = Booking(
        id=booking_id,
        customer_id=customer.id,
        worker_id=worker.id,
        service=request.service,
        description=request.description.strip(),
        scheduled_start=request.scheduled_start,
        scheduled_end=request.scheduled_end,
        status=status,
        version=1,
        history=[_request_event(checked.viewer, status, now)],
        partner_id=_partner_id(checked.viewer),
        price=hold.price,
        payment=hold.payment,
        created_at=now,
        updated_at=now,
        address=checked.address,
        time_zone=booking_time_zone(
            checked.address.to_domain() if checked.address else None,
            customer.country,
        ),
        time_claimed=True,
    )
    try:
        booking = await store.insert_booking(booking, actor_id=checked.viewer.user_id)
    except BaseException:
        if payments is not None and hold.payment is not None:
            await holds.abandon_hold(payments.gateway, booking_id, hold.payment)
        raise
    return BookingResult(booking=booking)


def _partner_id(viewer: Viewer) -> PydanticObjectId | None:
    """The partner on whose API key the booking is requested, if any."""
    partner = viewer.partner
    return PydanticObjectId(partner.partner_id) if partner is not None else None


def _request_event(
    viewer: Viewer, status: BookingStatus, now: datetime
) -> BookingEvent:
    return BookingEvent(
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
