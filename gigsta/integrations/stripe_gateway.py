"""The Stripe client GigSta uses: a handful of calls, plain results.

Everything goes through the official `stripe` library over HTTP; `api_base`
points it at real Stripe (None), at localstripe (`make run`, tests) or, for the
Connect calls, at a stand-in (`connect_api_base`). Every mutating call takes an
explicit idempotency key: the caller derives it from the booking, the action
and the booking's version, so a retry repeats the same request.
"""

from __future__ import annotations

import json
from typing import TYPE_CHECKING, Any, TypeVar

import stripe

from gigsta.domain.core import ErrorCode
from gigsta.integrations.stripe_results import AccountState, IntentState, intent_state

if TYPE_CHECKING:
    from collections.abc import Awaitable, Mapping

    from gigsta.settings import Settings


T = TypeVar("T")


class PaymentGatewayError(Exception):
    """Stripe refused the call. `message` is Stripe's own; `code` is what the
    client is told."""

    code = ErrorCode.PAYMENT_FAILED

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


class CardDeclinedError(PaymentGatewayError):
    """The card was declined (Stripe `card_error`)."""

    code = ErrorCode.PAYMENT_DECLINED


class PaymentsUnavailableError(PaymentGatewayError):
    """Stripe could not be reached (connection refused, DNS, timeout).

    Stripe's own text for these names its support address and the transport's
    exception, which mean nothing to our clients, so the message is ours.
    """

    code = ErrorCode.PAYMENTS_UNAVAILABLE

    def __init__(self) -> None:
        super().__init__(
            "Payments are unavailable at the moment; nothing was charged. "
            "Try again in a few minutes."
        )


class InvalidSignatureError(Exception):
    """A webhook whose `Stripe-Signature` does not match its body."""


class MalformedEventError(Exception):
    """A correctly signed webhook body that is not a JSON object."""


def _failure(exc: stripe.StripeError) -> PaymentGatewayError:
    if isinstance(exc, stripe.APIConnectionError):  # includes timeouts
        return PaymentsUnavailableError()
    message = exc.user_message or str(exc) or "Stripe could not process the payment."
    if isinstance(exc, stripe.CardError):
        return CardDeclinedError(message)
    return PaymentGatewayError(message)


async def _translated(request: Awaitable[T]) -> T:
    """Await one Stripe request, raising our errors for Stripe's."""
    try:
        return await request
    except stripe.StripeError as exc:
        raise _failure(exc) from exc


async def _intent_state(request: Awaitable[stripe.PaymentIntent]) -> IntentState:
    return intent_state((await _translated(request)).to_dict())


def _once(idempotency_key: str) -> stripe.RequestOptions:
    """Request options that make Stripe run a retried request only once."""
    return {"idempotency_key": idempotency_key}


_EXPAND_CHARGE = {"expand": ["latest_charge"]}


class _HTTPXClient(stripe.HTTPXClient):
    """stripe's httpx client, sending the encoded form as `content`.

    The library passes the already-encoded body as `data=`, which httpx 0.28
    deprecates for raw text (a DeprecationWarning on every call).
    """

    def _get_request_args_kwargs(
        self, method: str, url: str, headers: Mapping[str, str], post_data: Any
    ) -> list[Any]:
        args, kwargs = super()._get_request_args_kwargs(method, url, headers, post_data)
        body = kwargs.pop("data", None)
        if body:
            kwargs["content"] = body
        return [args, kwargs]


class StripeGateway:
    """The Stripe calls GigSta makes. One per process (it owns an HTTP pool)."""

    def __init__(
        self,
        *,
        secret_key: str,
        webhook_secret: str | None,
        api_base: str | None = None,
        connect_api_base: str | None = None,
        max_network_retries: int = 2,
        timeout_seconds: float = 20.0,
    ) -> None:
        self._http = _HTTPXClient(timeout=timeout_seconds)
        self._webhook_secret = webhook_secret
        payments_base = api_base or stripe.DEFAULT_API_BASE
        self._client = stripe.StripeClient(
            secret_key,
            base_addresses={"api": payments_base},
            http_client=self._http,
            max_network_retries=max_network_retries,
        )
        self._connect = stripe.StripeClient(
            secret_key,
            base_addresses={"api": connect_api_base or payments_base},
            http_client=self._http,
            max_network_retries=max_network_retries,
        )

    @classmethod
    def from_settings(cls, settings: Settings) -> StripeGateway:
        secret = settings.stripe_webhook_secret
        return cls(
            secret_key=settings.require_stripe_secret_key(),
            webhook_secret=secret.get_secret_value() if secret else None,
            api_base=settings.stripe_api_base,
            connect_api_base=settings.stripe_connect_api_base,
            max_network_retries=settings.stripe_max_network_retries,
            timeout_seconds=settings.stripe_timeout_seconds,
        )

    async def close(self) -> None:
        await self._http.close_async()  # type: ignore[no-untyped-call]

    # Payments -----------------------------------------------------------

    async def authorize(
        self,
        *,
        amount: int,
        currency: str,
        payment_method: str,
        idempotency_key: str,
        metadata: dict[str, str],
        customer: str | None = None,
        off_session: bool = False,
    ) -> IntentState:
        """Create and confirm a manual-capture PaymentIntent (a card hold)."""
        params: dict[str, Any] = {
            "amount": amount,
            "currency": currency.lower(),
            "payment_method": payment_method,
            "capture_method": "manual",
            "confirm": True,
            "metadata": metadata,
            **_EXPAND_CHARGE,
        }
        if customer is not None:
            params["customer"] = customer
        if off_session:
            params["off_session"] = True
        return await _intent_state(
            self._client.v1.payment_intents.create_async(
                params,  # type: ignore[arg-type]
                _once(idempotency_key),
            )
        )

    async def retrieve_intent(self, intent_id: str) -> IntentState:
        return await _intent_state(
            self._client.v1.payment_intents.retrieve_async(
                intent_id,
                _EXPAND_CHARGE,  # type: ignore[arg-type]
            )
        )

    async def capture(
        self, intent_id: str, *, amount: int, idempotency_key: str
    ) -> IntentState:
        """Capture `amount` of the hold; Stripe releases the rest."""
        return await _intent_state(
            self._client.v1.payment_intents.capture_async(
                intent_id,
                {"amount_to_capture": amount, **_EXPAND_CHARGE},  # type: ignore[arg-type]
                _once(idempotency_key),
            )
        )

    async def cancel(self, intent_id: str, *, idempotency_key: str) -> IntentState:
        """Cancel the PaymentIntent: the whole hold is released."""
        return await _intent_state(
            self._client.v1.payment_intents.cancel_async(
                intent_id,
                _EXPAND_CHARGE,  # type: ignore[arg-type]
                _once(idempotency_key),
            )
        )

    async def refunds_with_key(self, intent_id: str, key: str) -> int:
        """The amount already refunded by earlier attempts with this key.

        Our own guard against double refunds (localstripe ignores
        `Idempotency-Key`): each refund carries its key in its metadata.
        """
        refunds = await _translated(
            self._client.v1.refunds.list_async(
                {"payment_intent": intent_id, "limit": 100}
            )
        )
        return sum(
            int(r["amount"])
            for r in refunds.to_dict()["data"]
            if (r.get("metadata") or {}).get("idempotency_key") == key
        )

    async def refund(self, intent_id: str, *, amount: int, idempotency_key: str) -> int:
        refund = await _translated(
            self._client.v1.refunds.create_async(
                {
                    "payment_intent": intent_id,
                    "amount": amount,
                    "metadata": {"idempotency_key": idempotency_key},
                },
                _once(idempotency_key),
            )
        )
        return int(refund.to_dict()["amount"])

    async def create_customer(
        self, *, idempotency_key: str, metadata: dict[str, str]
    ) -> str:
        customer = await _translated(
            self._client.v1.customers.create_async(
                {"metadata": metadata}, _once(idempotency_key)
            )
        )
        return str(customer.id)

    async def attach_payment_method(
        self, payment_method: str, *, customer: str, idempotency_key: str
    ) -> str:
        """Save a card on a Customer for a later off-session hold."""
        method = await _translated(
            self._client.v1.payment_methods.attach_async(
                payment_method,
                {"customer": customer},
                _once(idempotency_key),
            )
        )
        return str(method.id)

    # Connect --------------------------------------------------------------

    async def create_express_account(
        self, *, country: str, idempotency_key: str, metadata: dict[str, str]
    ) -> str:
        account = await _translated(
            self._connect.v1.accounts.create_async(
                {
                    "type": "express",
                    "country": country,
                    "capabilities": {"transfers": {"requested": True}},
                    "metadata": metadata,
                },
                _once(idempotency_key),
            )
        )
        return str(account.id)

    async def create_onboarding_link(
        self,
        account_id: str,
        *,
        refresh_url: str,
        return_url: str,
        idempotency_key: str,
    ) -> str:
        link = await _translated(
            self._connect.v1.account_links.create_async(
                {
                    "account": account_id,
                    "type": "account_onboarding",
                    "refresh_url": refresh_url,
                    "return_url": return_url,
                },
                _once(idempotency_key),
            )
        )
        return str(link.url)

    async def retrieve_account(self, account_id: str) -> AccountState:
        account = await _translated(
            self._connect.v1.accounts.retrieve_async(account_id)
        )
        data = account.to_dict()
        return AccountState(str(data["id"]), bool(data.get("payouts_enabled")))

    async def transfer(
        self,
        *,
        amount: int,
        currency: str,
        destination: str,
        transfer_group: str,
        idempotency_key: str,
        metadata: dict[str, str],
    ) -> str:
        transfer = await _translated(
            self._connect.v1.transfers.create_async(
                {
                    "amount": amount,
                    "currency": currency.lower(),
                    "destination": destination,
                    "transfer_group": transfer_group,
                    "metadata": metadata,
                },
                _once(idempotency_key),
            )
        )
        return str(transfer.id)

    # Webhooks -------------------------------------------------------------

    def verify_event(self, payload: bytes, signature: str | None) -> dict[str, Any]:
        """The event in `payload` if `signature` is Stripe's for it, else raise.

        Raises `InvalidSignatureError` for a missing or wrong signature and
        `MalformedEventError` for a signed body that is not a JSON object.
        Only the top level is checked here; the caller checks the fields it
        reads.
        """
        if self._webhook_secret is None or not signature:
            raise InvalidSignatureError("missing signature or webhook secret")
        try:
            text = payload.decode("utf-8")
            stripe.WebhookSignature.verify_header(
                text,
                signature,
                self._webhook_secret,
                tolerance=stripe.Webhook.DEFAULT_TOLERANCE,
            )
        except (ValueError, stripe.SignatureVerificationError) as exc:
            raise InvalidSignatureError(str(exc)) from exc
        try:
            event = json.loads(text)
        except ValueError as exc:
            raise MalformedEventError("the body is not JSON") from exc
        if not isinstance(event, dict):
            kind = type(event).__name__
            raise MalformedEventError(f"the body is a JSON {kind}, not an object")
        return event
