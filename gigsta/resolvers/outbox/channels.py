"""Channels: how a domain event reaches people outside the API.

A channel turns an event into drafts (one per recipient, with everything it
will send) and later sends one stored delivery, and says when a failed one is
tried again. Email is the first; partner webhooks
(`gigsta.resolvers.outbox.webhooks`) the second.
"""

from __future__ import annotations

from dataclasses import dataclass
from email.utils import formataddr
from typing import TYPE_CHECKING, Any, Protocol

from gigsta.domain.bookings.actions import ActorRole
from gigsta.domain.notifications.retries import gives_up, retry_delay
from gigsta.domain.notifications.rules import Addressed, notices_for, wanted
from gigsta.domain.notifications.templates import Email, EmailFacts, render
from gigsta.domain.services import SERVICE_CATALOGUE
from gigsta.integrations.smtp import (
    PermanentSmtpError,
    build_message,
    message_id,
)

if TYPE_CHECKING:
    from datetime import datetime, timedelta

    from gigsta.documents import Delivery
    from gigsta.integrations.smtp import SmtpMailer
    from gigsta.resolvers.outbox.context import EventContext


class PermanentDeliveryError(Exception):
    """Sending can never succeed (the address was refused): no retry."""


@dataclass(frozen=True, slots=True)
class Draft:
    """A delivery to make: to whom, for which notice, with what payload."""

    recipient: str
    notice: str
    payload: dict[str, Any]


class Channel(Protocol):
    name: str

    async def drafts(self, context: EventContext) -> list[Draft]:
        """The deliveries this event makes on this channel (maybe none)."""
        ...

    async def send(self, delivery: Delivery) -> None:
        """Send one delivery; raise `PermanentDeliveryError` when retrying is
        pointless, any other exception when a later attempt may succeed."""
        ...

    def retry_in(
        self, delivery: Delivery, attempts: int, now: datetime
    ) -> timedelta | None:
        """How long after failed attempt number `attempts` to try again;
        None: give up (the delivery is dead)."""
        ...


def email_facts(context: EventContext, role: ActorRole) -> EmailFacts:
    booking, event = context.booking, context.event
    price, payment = booking.price, booking.payment
    recipient = context.party(role).profile
    amount = event.data.get("amount")
    return EmailFacts(
        recipient_name=recipient.name,
        recipient_country=recipient.country,
        customer_name=context.customer.profile.name,
        worker_name=context.worker.profile.name,
        service=SERVICE_CATALOGUE.get(booking.service, booking.service),
        description=booking.description,
        scheduled_start=booking.scheduled_start,
        scheduled_end=booking.scheduled_end,
        time_zone=booking.time_zone,
        booking_ref=f"GS-{str(booking.id)[-8:].upper()}",
        currency=price.currency if price else None,
        total=price.total if price else None,
        gst_included=price.gst_included if price else None,
        worker_payout=price.worker_payout if price else None,
        captured=payment.captured_amount if payment else None,
        refunded=payment.refunded_amount if payment else None,
        payout_amount=amount if isinstance(amount, int) else None,
        reason=event.data.get("reason"),
        message=event.data.get("body"),
    )


def email_payload(
    to: tuple[str, str], email: Email, msg_id: str, date: datetime
) -> dict[str, Any]:
    """What an email delivery stores, and `EmailChannel.send` sends: the
    rendered message, fixed once, so every retry sends the same bytes."""
    return {
        "to": formataddr(to),
        "subject": email.subject,
        "body": email.body,
        "message_id": msg_id,
        "date": date,
    }


class EmailChannel:
    """Email over SMTP, to each party the notification rules name, unless
    the notice is not essential and they turned booking updates off."""

    name = "email"

    def __init__(self, mailer: SmtpMailer) -> None:
        self.mailer = mailer

    async def drafts(self, context: EventContext) -> list[Draft]:
        event = context.event
        found = []
        for addressed in notices_for(event.type.value, event.data, event.actor_role):
            party = context.party(addressed.role)
            prefs = party.user.notification_preferences
            if wanted(addressed, booking_updates=prefs.booking_updates):
                found.append(self._draft(context, addressed))
        return found

    def _draft(self, context: EventContext, addressed: Addressed) -> Draft:
        party = context.party(addressed.role)
        recipient = f"user:{party.user.id}"
        email = render(addressed, email_facts(context, addressed.role))
        return Draft(
            recipient=recipient,
            notice=addressed.notice.value,
            payload=email_payload(
                (party.profile.name, party.user.email),
                email,
                message_id(
                    str(context.event.id), recipient, self.mailer.config.sender_domain
                ),
                context.event.at,
            ),
        )

    def retry_in(
        self, delivery: Delivery, attempts: int, now: datetime
    ) -> timedelta | None:
        return None if gives_up(attempts) else retry_delay(attempts)

    async def send(self, delivery: Delivery) -> None:
        p = delivery.payload
        message = build_message(
            sender=self.mailer.config.sender,
            to=p["to"],
            subject=p["subject"],
            body=p["body"],
            msg_id=p["message_id"],
            date=p["date"],
        )
        try:
            await self.mailer.send(message)
        except PermanentSmtpError as error:
            raise PermanentDeliveryError(str(error)) from error
