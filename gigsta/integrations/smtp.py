"""Email over SMTP (aiosmtplib): the narrow client the outbox's email channel
sends through.

One connection per message: the dispatcher sends few, and a fresh connection
cannot be left half-way through another message's transaction. Configured from
settings (`SMTP_HOST`, `SMTP_PORT`, `SMTP_USERNAME`, `SMTP_PASSWORD`,
`SMTP_SECURITY`, `GIGSTA_EMAIL_FROM`), so tests and `make run` point it at the
local stand-in and production at a provider's SMTP relay.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from email.message import EmailMessage
from email.utils import format_datetime, parseaddr
from typing import TYPE_CHECKING, Literal

import aiosmtplib

if TYPE_CHECKING:
    from datetime import datetime

    from gigsta.settings import Settings

Security = Literal["starttls", "tls", "none"]


class PermanentSmtpError(Exception):
    """The server refused the message for good (a 5xx reply): retrying would
    only be refused again."""


@dataclass(frozen=True, slots=True)
class SmtpConfig:
    host: str
    port: int
    sender: str
    security: Security = "starttls"
    username: str | None = None
    password: str | None = None
    timeout_seconds: float = 30.0

    @property
    def sender_domain(self) -> str:
        address = parseaddr(self.sender)[1]
        return address.rpartition("@")[2] or "gigsta.invalid"


def message_id(event_id: str, recipient: str, domain: str) -> str:
    """The same Message-ID for every attempt at one event's message to one
    recipient, so a provider or mail client can drop a repeat."""
    digest = hashlib.sha256(f"{event_id}\n{recipient}".encode()).hexdigest()[:20]
    return f"<{event_id}.{digest}@{domain}>"


def build_message(
    *,
    sender: str,
    to: str,
    subject: str,
    body: str,
    msg_id: str,
    date: datetime,
) -> EmailMessage:
    message = EmailMessage()
    message["From"] = sender
    message["To"] = to
    message["Subject"] = subject
    message["Message-ID"] = msg_id
    message["Date"] = format_datetime(date)
    # Transactional mail: auto-responders should not answer it.
    message["Auto-Submitted"] = "auto-generated"
    message.set_content(body)
    return message


class SmtpMailer:
    def __init__(self, config: SmtpConfig) -> None:
        self.config = config

    async def send(self, message: EmailMessage) -> None:
        """Hand `message` to the server. A 5xx reply raises
        `PermanentSmtpError`; anything else that fails (connection, timeout,
        a 4xx reply) raises aiosmtplib's own error: worth trying again."""
        c = self.config
        try:
            await aiosmtplib.send(
                message,
                hostname=c.host,
                port=c.port,
                username=c.username,
                password=c.password,
                use_tls=c.security == "tls",
                start_tls=c.security == "starttls",
                timeout=c.timeout_seconds,
            )
        except aiosmtplib.SMTPRecipientsRefused as error:
            if all(e.code >= 500 for e in error.recipients):
                raise PermanentSmtpError(str(error)) from error
            raise
        except aiosmtplib.SMTPResponseException as error:
            if error.code >= 500:
                raise PermanentSmtpError(f"{error.code} {error.message}") from error
            raise


def smtp_from_settings(settings: Settings) -> SmtpMailer | None:
    """The mailer, or None when `SMTP_HOST` is not set (no email is sent)."""
    if not settings.smtp_host:
        return None
    password = settings.smtp_password
    return SmtpMailer(
        SmtpConfig(
            host=settings.smtp_host,
            port=settings.smtp_port,
            sender=settings.email_from,
            security=settings.smtp_security,
            username=settings.smtp_username,
            password=password.get_secret_value() if password else None,
            timeout_seconds=settings.smtp_timeout_seconds,
        )
    )
