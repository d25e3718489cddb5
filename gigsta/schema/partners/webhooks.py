"""Partners' webhook root fields: register, list, disable and delete
endpoints; read the delivery log; redeliver."""

from __future__ import annotations

from typing import TYPE_CHECKING, Annotated, Any

import strawberry
from beanie import PydanticObjectId as ObjectId

from gigsta.domain.webhooks import WebhookEventType
from gigsta.resolvers import webhooks
from gigsta.schema.core import nodes
from gigsta.schema.core.context import Info
from gigsta.schema.core.errors import UserError, errors_field, user_errors
from gigsta.schema.core.mutations import input_id, mutation
from gigsta.schema.partners.types import Partner
from gigsta.schema.partners.webhook_types import WebhookDelivery, WebhookEndpoint
from gigsta.schema.payloads import result_field, shown

if TYPE_CHECKING:
    from beanie import PydanticObjectId

MAX_PAGE = 100


@strawberry.input(description="A new webhook endpoint.")
class CreateWebhookEndpointInput:
    url: str = strawberry.field(
        description="Where to POST events: https, at a public address."
    )
    event_types: list[WebhookEventType] = strawberry.field(
        description="What to send there (at least one)."
    )
    partner_id: strawberry.ID | None = strawberry.field(
        default=None,
        description="Whose endpoint (admins only; a key registers its own).",
    )


@strawberry.input(description="The webhook endpoint to disable, enable or delete.")
class WebhookEndpointIdInput:
    id: strawberry.ID = strawberry.field(description="The endpoint's id.")


@strawberry.input(description="The webhook delivery to send again.")
class RedeliverWebhookInput:
    delivery_id: strawberry.ID = strawberry.field(description="The delivery's id.")


@strawberry.type(description="The result of a webhook endpoint mutation.")
class WebhookEndpointPayload:
    endpoint: WebhookEndpoint | None = result_field("The endpoint")
    secret: str | None = strawberry.field(
        default=None,
        description="The signing secret (`whsec_...`), from "
        "`createWebhookEndpoint` only: shown this once and never again.",
    )
    errors: list[UserError] = errors_field(
        "Why nothing changed (a URL that is not https or points at a private "
        "address is INVALID)"
    )


@strawberry.type(description="The result of `redeliverWebhook`.")
class RedeliverWebhookPayload:
    delivery: WebhookDelivery | None = result_field("The delivery, due again now")
    errors: list[UserError] = errors_field("Why it was not queued")


@strawberry.type(description="A page of an endpoint's deliveries, newest first.")
class WebhookDeliveryPage:
    nodes: list[WebhookDelivery] = strawberry.field(description="The deliveries.")
    end_cursor: str | None = strawberry.field(
        description="Pass as `after` for the next page; null when empty."
    )
    has_next_page: bool = strawberry.field(description="Whether more follow.")


def _payload(result: webhooks.EndpointResult) -> WebhookEndpointPayload:
    return WebhookEndpointPayload(
        endpoint=shown(WebhookEndpoint, result.endpoint),
        secret=result.secret,
        errors=user_errors(result.errors),
    )


def _endpoint_change(description: str, change: webhooks.EndpointChange) -> Any:
    """A mutation on one endpoint, by its id: `change` does it."""

    @mutation(description, "Which.")
    async def resolve(
        self: None, info: Info, input: WebhookEndpointIdInput
    ) -> WebhookEndpointPayload:
        oid = input_id(input.id, WebhookEndpoint, "id")
        return _payload(await change(info.context.viewer, oid, now=info.context.now))

    return resolve


def _partner(value: strawberry.ID | None) -> PydanticObjectId | None:
    return nodes.local_id(value, Partner) if value is not None else None


@strawberry.type
class WebhooksQuery:
    @strawberry.field(
        description="The webhook endpoints of the key's partner (admins: of "
        "`partnerId`), oldest first."
    )
    async def webhook_endpoints(
        self,
        info: Info,
        partner_id: Annotated[
            strawberry.ID | None,
            strawberry.argument(description="Whose (admins only)."),
        ] = None,
    ) -> list[WebhookEndpoint]:
        found = await webhooks.endpoints_of(info.context.viewer, _partner(partner_id))
        return [WebhookEndpoint(doc=doc) for doc in found]

    @strawberry.field(
        description="An endpoint's deliveries, newest first, with their attempts."
    )
    async def webhook_deliveries(
        self,
        info: Info,
        endpoint_id: Annotated[
            strawberry.ID, strawberry.argument(description="The endpoint's id.")
        ],
        first: Annotated[
            int, strawberry.argument(description=f"How many, at most {MAX_PAGE}.")
        ] = 20,
        after: Annotated[
            str | None, strawberry.argument(description="A page's `endCursor`.")
        ] = None,
    ) -> WebhookDeliveryPage:
        oid = nodes.expect_id(endpoint_id, WebhookEndpoint, "endpointId")
        endpoint = await webhooks.endpoint_for(info.context.viewer, ObjectId(oid))
        cursor = nodes.local_id(after, WebhookDelivery) if after else None
        if endpoint is None:
            return WebhookDeliveryPage(nodes=[], end_cursor=None, has_next_page=False)
        found, more = await webhooks.deliveries_of(
            endpoint, max(1, min(first, MAX_PAGE)), cursor
        )
        shown = [WebhookDelivery(doc=d) for d in found]
        end = nodes.global_id(WebhookDelivery, found[-1].id) if found else None
        return WebhookDeliveryPage(nodes=shown, end_cursor=end, has_next_page=more)


@strawberry.type
class WebhooksMutation:
    @mutation(
        "Register a webhook endpoint; its signing secret is in the payload, once.",
        "The endpoint to register.",
    )
    async def create_webhook_endpoint(
        self, info: Info, input: CreateWebhookEndpointInput
    ) -> WebhookEndpointPayload:
        result = await webhooks.create_endpoint(
            info.context.viewer,
            partner_id=_partner(input.partner_id),
            url=input.url,
            event_types=input.event_types,
            allow_private=info.context.runtime.settings.webhooks_allow_private,
            now=info.context.now,
        )
        return _payload(result)

    disable_webhook_endpoint = _endpoint_change(
        "Stop sending to a webhook endpoint.", webhooks.disable_endpoint
    )
    enable_webhook_endpoint = _endpoint_change(
        "Send to a disabled webhook endpoint again (by its owner, or after 3 days "
        "of failures): new events only; `redeliverWebhook` sends what it missed.",
        webhooks.enable_endpoint,
    )
    delete_webhook_endpoint = _endpoint_change(
        "Delete a webhook endpoint.", webhooks.delete_endpoint
    )

    @mutation(
        "Send a webhook delivery again now (the same body and event id), with a "
        "new 3-day retry window.",
        "Which.",
    )
    async def redeliver_webhook(
        self, info: Info, input: RedeliverWebhookInput
    ) -> RedeliverWebhookPayload:
        result = await webhooks.redeliver(
            info.context.viewer,
            input_id(input.delivery_id, WebhookDelivery, "deliveryId"),
            now=info.context.now,
        )
        return RedeliverWebhookPayload(
            delivery=shown(WebhookDelivery, result.delivery),
            errors=user_errors(result.errors),
        )
