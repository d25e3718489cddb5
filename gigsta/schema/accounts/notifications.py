"""Notification preferences: `User.notificationPreferences` and
`updateNotificationPreferences`."""

from __future__ import annotations

from typing import TYPE_CHECKING

import strawberry

from gigsta.domain.notifications.rules import ESSENTIAL_NOTICES, Notice
from gigsta.resolvers.accounts import notifications
from gigsta.schema.core.context import Info
from gigsta.schema.core.errors import UserError, errors_field, user_errors
from gigsta.schema.core.mutations import mutation, perform
from gigsta.schema.payloads import result_field

if TYPE_CHECKING:
    from gigsta.documents.accounts import NotificationPreferences as PreferencesDoc

_ALWAYS_SENT = {
    Notice.CANCELLED: "a booking is cancelled",
    Notice.RECEIPT: "your card is charged (receipt)",
    Notice.REFUNDED: "a booking is refunded",
    Notice.PAYMENT_FAILED: "a card hold could not be authorised",
    Notice.PAYOUT_SENT: "a payout is sent to you",
}
assert set(_ALWAYS_SENT) == ESSENTIAL_NOTICES


@strawberry.type(
    description="Which emails the account gets. Booking updates (a new request, "
    "accepted, declined, expired, job completed, a problem reported) can be "
    "turned off; essential emails (cancellations, receipts, refunds, failed "
    "card holds, payouts) are always sent."
)
class NotificationPreferences:
    booking_updates: bool = strawberry.field(
        description="Email booking updates (non-essential). Default true."
    )
    always_sent: list[str] = strawberry.field(
        description="The essential emails, in words: sent whatever these "
        "preferences say."
    )

    @classmethod
    def of(cls, doc: PreferencesDoc) -> NotificationPreferences:
        return cls(
            booking_updates=doc.booking_updates,
            always_sent=list(_ALWAYS_SENT.values()),
        )


@strawberry.input(
    description="Changes to the signed-in account's notification preferences: "
    "fields left out (or null) stay as they are."
)
class UpdateNotificationPreferencesInput:
    booking_updates: bool | None = strawberry.field(
        default=None, description="Email booking updates (non-essential)."
    )


@strawberry.type(description="The result of `updateNotificationPreferences`.")
class NotificationPreferencesPayload:
    preferences: NotificationPreferences | None = result_field(
        "The preferences as saved"
    )
    errors: list[UserError] = errors_field(
        "Why nothing was saved (UNAUTHENTICATED without a token)"
    )


@strawberry.type
class NotificationsMutation:
    @mutation(
        "Choose which non-essential emails the signed-in account gets.",
        "The preferences to change.",
    )
    async def update_notification_preferences(
        self, info: Info, input: UpdateNotificationPreferencesInput
    ) -> NotificationPreferencesPayload:
        result = await perform(info, notifications.update_preferences, input)
        prefs = result.preferences
        return NotificationPreferencesPayload(
            preferences=NotificationPreferences.of(prefs) if prefs else None,
            errors=user_errors(result.errors),
        )
