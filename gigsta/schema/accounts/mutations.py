"""Accounts' mutations: sign up, log in, edit the worker profile."""

from __future__ import annotations

from dataclasses import asdict
from datetime import timedelta

import strawberry

from gigsta.domain.accounts import (
    MAX_BIO_LENGTH,
    MAX_EMAIL_LENGTH,
    MAX_HOURLY_RATE_CENTS,
    MAX_NAME_LENGTH,
    MAX_PASSWORD_LENGTH,
    MIN_HOURLY_RATE_CENTS,
    MIN_PASSWORD_LENGTH,
)
from gigsta.domain.services import MAX_SERVICES_PER_WORKER
from gigsta.resolvers.accounts import sessions, sign_in, workers
from gigsta.schema.accounts.types import User, Worker
from gigsta.schema.core.context import Info
from gigsta.schema.core.enums import Country, Role
from gigsta.schema.core.errors import UserError, errors_field, user_errors
from gigsta.schema.core.mutations import mutation
from gigsta.schema.payloads import result_field, shown


def _tokens(info: Info) -> sign_in.TokenConfig:
    settings = info.context.runtime.settings
    return sign_in.TokenConfig(
        secret=settings.require_jwt_secret(),
        ttl=timedelta(seconds=settings.jwt_ttl_seconds),
    )


@strawberry.input(description="A new account and its profile.")
class SignUpInput:
    email: str = strawberry.field(
        description=(
            f"The sign-in email, at most {MAX_EMAIL_LENGTH} characters; unique "
            "regardless of case (EMAIL_TAKEN, INVALID_EMAIL)."
        )
    )
    password: str = strawberry.field(
        description=(
            f"{MIN_PASSWORD_LENGTH} to {MAX_PASSWORD_LENGTH} characters "
            "(PASSWORD_TOO_SHORT, TOO_LONG)."
        )
    )
    name: str = strawberry.field(
        description=(
            f"The name others see, 1 to {MAX_NAME_LENGTH} characters after trimming."
        )
    )
    role: Role = strawberry.field(
        description="CUSTOMER or WORKER; ADMIN is refused (NOT_ALLOWED)."
    )
    country: Country = strawberry.field(
        description="Where the account books or works; a worker's also sets the "
        "currency of their rate."
    )


@strawberry.input(description="The credentials of an existing account.")
class LogInInput:
    email: str = strawberry.field(description="The account's email, in any case.")
    password: str = strawberry.field(description="The account's password.")


@strawberry.input(
    description="Changes to the signed-in worker's profile: fields left out "
    "(or null) stay as they are."
)
class UpdateWorkerProfileInput:
    name: str | None = strawberry.field(
        default=None, description=f"At most {MAX_NAME_LENGTH} characters."
    )
    bio: str | None = strawberry.field(
        default=None, description=f"At most {MAX_BIO_LENGTH} characters."
    )
    services: list[str] | None = strawberry.field(
        default=None,
        description=(
            f"Keys from the `services` query, at most {MAX_SERVICES_PER_WORKER}."
        ),
    )
    hourly_rate: int | None = strawberry.field(
        default=None,
        description=(
            "Integer cents of the worker's currency, GST included, "
            f"{MIN_HOURLY_RATE_CENTS} to {MAX_HOURLY_RATE_CENTS}."
        ),
    )
    base_address_token: str | None = strawberry.field(
        default=None, description="A token from `addressSuggestions`."
    )
    service_radius_km: float | None = strawberry.field(
        default=None, description="1 to 100 km around the base address."
    )


@strawberry.type(description="The result of `signUp` or `logIn`.")
class AuthPayload:
    token: str | None = strawberry.field(
        default=None,
        description="A bearer token: send it as `Authorization: Bearer <token>`. "
        "Null when `errors` is not empty.",
    )
    viewer: User | None = result_field("The signed-in account")
    errors: list[UserError] = errors_field("Why the account was not made or signed in")


@strawberry.type(description="The result of `logOutEverywhere`.")
class LogOutPayload:
    errors: list[UserError] = strawberry.field(
        description="Empty when every token was revoked (UNAUTHENTICATED without one)."
    )


@strawberry.type(description="The result of `updateWorkerProfile`.")
class WorkerPayload:
    worker: Worker | None = result_field("The profile as saved")
    errors: list[UserError] = errors_field("Why nothing was saved")


def _auth_payload(result: sign_in.AuthResult) -> AuthPayload:
    return AuthPayload(
        token=result.token,
        viewer=User(doc=result.user) if result.user and not result.errors else None,
        errors=user_errors(result.errors),
    )


@strawberry.type
class AccountsMutation:
    @mutation("Create a CUSTOMER or WORKER account.", "The account to create.")
    async def sign_up(self, info: Info, input: SignUpInput) -> AuthPayload:
        result = await sign_in.sign_up(
            **asdict(input),
            now=info.context.now,
            tokens=_tokens(info),
            passwords=info.context.runtime.passwords,
        )
        return _auth_payload(result)

    @mutation(
        "Sign in with email and password for a token. Repeated failures from one "
        "client or for one email are refused for a while (RATE_LIMITED).",
        "The credentials.",
    )
    async def log_in(self, info: Info, input: LogInInput) -> AuthPayload:
        result = await sign_in.log_in(
            **asdict(input),
            now=info.context.now,
            tokens=_tokens(info),
            passwords=info.context.runtime.passwords,
            client_address=info.context.client_address,
            failures_per_client=(
                info.context.runtime.settings.sign_in_failures_per_client
            ),
        )
        return _auth_payload(result)

    @mutation(
        "Revoke every token of the signed-in account, this one included, on "
        "every server at once. Sign in again to get a new one."
    )
    async def log_out_everywhere(self, info: Info) -> LogOutPayload:
        errors = await sessions.log_out_everywhere(
            info.context.viewer, now=info.context.now
        )
        return LogOutPayload(errors=user_errors(errors))

    @mutation("Edit the signed-in worker's profile.", "The fields to change.")
    async def update_worker_profile(
        self, info: Info, input: UpdateWorkerProfileInput
    ) -> WorkerPayload:
        changes = asdict(input)
        changes["hourly_rate_cents"] = changes.pop("hourly_rate")
        result = await workers.update_worker_profile(
            info.context.viewer,
            **changes,
            now=info.context.now,
            address_secret=info.context.runtime.settings.address_token_key(),
        )
        return WorkerPayload(
            worker=shown(Worker, result.worker), errors=user_errors(result.errors)
        )
