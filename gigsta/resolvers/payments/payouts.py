"""Worker payouts through Stripe Connect: onboarding, and the transfer of each
worker's share after capture (or later, once their payouts are enabled)."""

from __future__ import annotations

import logging
from dataclasses import dataclass, field
from datetime import datetime
from typing import TYPE_CHECKING

from beanie import PydanticObjectId

from gigsta.documents import Booking, Worker
from gigsta.documents import booking_store as store
from gigsta.documents.payments import PayoutStatus
from gigsta.domain.accounts import Role, Viewer, own_profile_id
from gigsta.domain.core import ErrorCode, UserError
from gigsta.integrations.stripe_gateway import PaymentGatewayError

if TYPE_CHECKING:
    from gigsta.integrations.stripe_gateway import StripeGateway
    from gigsta.resolvers.payments.config import Payments

log = logging.getLogger(__name__)


async def send_payout(gateway: StripeGateway, booking: Booking, now: datetime) -> bool:
    """Transfer the worker's share if they can receive it; True when sent.

    Separate charges and transfers, not destination charges: a worker may
    accept work before finishing Connect onboarding, so at the time of the
    hold (and even of the capture) there may be no account to name as the
    destination; the share they are owed also depends on how the booking ends
    (full payout or a late-cancellation share), which is only known at
    capture. Charging on the platform and transferring afterwards handles
    both, keeps refunds and disputes on the platform's balance, and lets a
    payout wait as "pending" until `account.updated` enables payouts.
    """
    payout = booking.payout
    if payout is None or payout.status is not PayoutStatus.PENDING:
        return False
    worker = await Worker.get(booking.worker_id)
    if worker is None or not worker.payouts_enabled or not worker.stripe_account_id:
        return False
    try:
        transfer_id = await gateway.transfer(
            amount=payout.amount,
            currency=payout.currency.value,
            destination=worker.stripe_account_id,
            transfer_group=f"booking_{booking.id}",
            idempotency_key=f"gigsta:{booking.id}:payout",
            metadata={"booking_id": str(booking.id)},
        )
    except PaymentGatewayError as exc:
        log.warning("payout for booking %s not sent yet: %s", booking.id, exc.message)
        return False
    return await store.mark_payout_sent(booking.id, transfer_id, now)


@dataclass
class OnboardingResult:
    url: str | None = None
    errors: list[UserError] = field(default_factory=list)


async def start_payout_onboarding(
    viewer: Viewer | None, payments: Payments | None, now: datetime
) -> OnboardingResult:
    """An Express onboarding link for the signed-in worker's Connect account."""
    profile_id = own_profile_id(viewer, Role.WORKER, "Only workers receive payouts.")
    if isinstance(profile_id, UserError):
        return OnboardingResult(errors=[profile_id])
    if payments is None:
        return OnboardingResult(
            errors=[
                UserError(
                    None, ErrorCode.PAYMENTS_UNAVAILABLE, "Payments are not set up."
                )
            ]
        )
    worker = await Worker.get(PydanticObjectId(profile_id))
    if worker is None or worker.id is None:
        return OnboardingResult(
            errors=[UserError(None, ErrorCode.NOT_FOUND, "Worker profile not found.")]
        )
    gateway = payments.gateway
    try:
        account_id = worker.stripe_account_id
        if account_id is None:
            created = await gateway.create_express_account(
                country=worker.country.value,
                idempotency_key=f"gigsta:worker:{worker.id}:connect_account",
                metadata={"gigsta_worker_id": str(worker.id)},
            )
            await Worker.get_pymongo_collection().update_one(
                {"_id": worker.id, "stripe_account_id": None},
                {"$set": {"stripe_account_id": created, "updated_at": now}},
            )
            # First writer wins when two requests race (same idempotency key,
            # so real Stripe returned the same account to both anyway).
            current = await Worker.get(worker.id)
            account_id = current.stripe_account_id if current else created
        url = await gateway.create_onboarding_link(
            str(account_id),
            refresh_url=payments.onboarding_refresh_url,
            return_url=payments.onboarding_return_url,
            idempotency_key=(
                f"gigsta:worker:{worker.id}:account_link:{int(now.timestamp())}"
            ),
        )
    except PaymentGatewayError as exc:
        return OnboardingResult(errors=[UserError(None, exc.code, exc.message)])
    return OnboardingResult(url=url)
