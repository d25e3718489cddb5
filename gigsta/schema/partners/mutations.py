"""Partners' mutations: admins create partners and their API keys."""

from __future__ import annotations

from dataclasses import asdict
from datetime import datetime

import strawberry

from gigsta.domain.partners import MAX_KEY_NAME_LENGTH, MAX_PARTNER_NAME_LENGTH, Scope
from gigsta.resolvers import partners
from gigsta.schema.core.context import Info
from gigsta.schema.core.enums import Country
from gigsta.schema.core.errors import UserError, errors_field, user_errors
from gigsta.schema.core.mutations import input_id, mutation, perform
from gigsta.schema.partners.types import ApiKey, Partner
from gigsta.schema.payloads import result_field, shown


@strawberry.input(description="A new partner organisation.")
class CreatePartnerInput:
    name: str = strawberry.field(
        description=f"Its name, 1 to {MAX_PARTNER_NAME_LENGTH} characters."
    )
    country: Country = strawberry.field(
        description="Where it books (sets the currency of its bookings)."
    )
    contact_email: str | None = strawberry.field(
        default=None,
        description="Who is told about its integration (a webhook endpoint "
        "disabled after 3 days of failures); none: nobody is emailed.",
    )


@strawberry.input(description="Changes to a partner: what is left out stays.")
class UpdatePartnerInput:
    id: strawberry.ID = strawberry.field(description="The partner's id.")
    name: str | None = strawberry.field(
        default=None,
        description=f"Its new name, 1 to {MAX_PARTNER_NAME_LENGTH} characters.",
    )
    contact_email: str | None = strawberry.field(
        default=strawberry.UNSET,
        description="Its new contact address; null: no contact.",
    )


@strawberry.input(description="A new API key for a partner.")
class CreateApiKeyInput:
    partner_id: strawberry.ID = strawberry.field(description="The partner's id.")
    name: str = strawberry.field(
        description=f"What the key is for, at most {MAX_KEY_NAME_LENGTH} characters."
    )
    scopes: list[Scope] = strawberry.field(description="At least one scope.")
    expires_at: datetime | None = strawberry.field(
        default=None, description="When it stops working (a future time); none: never."
    )


@strawberry.input(description="The API key to revoke.")
class RevokeApiKeyInput:
    id: strawberry.ID = strawberry.field(description="The key's id.")


@strawberry.type(description="The result of `createPartner` or `updatePartner`.")
class PartnerPayload:
    partner: Partner | None = result_field("The partner")
    errors: list[UserError] = errors_field(
        "Why it was not made (NOT_ALLOWED unless an admin)"
    )


@strawberry.type(description="The result of `createApiKey` or `revokeApiKey`.")
class ApiKeyPayload:
    api_key: ApiKey | None = result_field("The key")
    key: str | None = strawberry.field(
        default=None,
        description="The key itself (`gsk_live_...`), from `createApiKey` only: "
        "shown this once and never again; send it as `Authorization: Bearer "
        "<key>`.",
    )
    errors: list[UserError] = errors_field(
        "Why nothing changed (NOT_ALLOWED unless an admin)"
    )


def _partner_payload(result: partners.PartnerResult) -> PartnerPayload:
    return PartnerPayload(
        partner=shown(Partner, result.partner), errors=user_errors(result.errors)
    )


def _key_payload(result: partners.KeyResult) -> ApiKeyPayload:
    return ApiKeyPayload(
        api_key=shown(ApiKey, result.key),
        key=result.secret,
        errors=user_errors(result.errors),
    )


@strawberry.type
class PartnersMutation:
    @mutation("Add a partner organisation (admins only).", "The partner to add.")
    async def create_partner(
        self, info: Info, input: CreatePartnerInput
    ) -> PartnerPayload:
        result = await perform(info, partners.create_partner, input)
        return _partner_payload(result)

    @mutation(
        "Rename a partner or change its contact address (admins only).",
        "The changes.",
    )
    async def update_partner(
        self, info: Info, input: UpdatePartnerInput
    ) -> PartnerPayload:
        contact = (
            ... if input.contact_email is strawberry.UNSET else input.contact_email
        )
        result = await partners.update_partner(
            info.context.viewer,
            partner_id=input_id(input.id, Partner, "id"),
            name=input.name,
            contact_email=contact,
            now=info.context.now,
        )
        return _partner_payload(result)

    @mutation(
        "Make an API key for a partner (admins only); the key is in the payload, once.",
        "The key to make.",
    )
    async def create_api_key(
        self, info: Info, input: CreateApiKeyInput
    ) -> ApiKeyPayload:
        partner_id = input_id(input.partner_id, Partner, "partnerId")
        result = await partners.create_key(
            info.context.viewer,
            **{**asdict(input), "partner_id": partner_id},
            now=info.context.now,
        )
        return _key_payload(result)

    @mutation(
        "Revoke an API key (admins only): refused from the next request on, on "
        "every server.",
        "The key to revoke.",
    )
    async def revoke_api_key(
        self, info: Info, input: RevokeApiKeyInput
    ) -> ApiKeyPayload:
        result = await partners.revoke_key(
            info.context.viewer,
            key_id=input_id(input.id, ApiKey, "id"),
            now=info.context.now,
        )
        return _key_payload(result)
