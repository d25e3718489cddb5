"""Places' root field: address autocomplete."""

from __future__ import annotations

from dataclasses import asdict
from typing import Annotated

import strawberry

from gigsta.domain.places import MAX_QUERY_LENGTH, MIN_QUERY_LENGTH
from gigsta.resolvers import places
from gigsta.schema.core.context import Info
from gigsta.schema.core.enums import Country
from gigsta.schema.places.types import AddressSuggestion


def _client_key(info: Info) -> str:
    """Who is asking: the signed-in user, else the client's address."""
    viewer = info.context.viewer
    if viewer is not None:
        return f"user:{viewer.user_id}"
    return f"ip:{info.context.client_address}"


@strawberry.type
class PlacesQuery:
    @strawberry.field(
        description=(
            "Address autocomplete for NZ or AU (at least 3 characters). Each "
            "suggestion carries a signed `token` that mutations accept."
        )
    )
    async def address_suggestions(
        self,
        info: Info,
        query: Annotated[
            str,
            strawberry.argument(
                description=(
                    f"What the person typed, {MIN_QUERY_LENGTH} to "
                    f"{MAX_QUERY_LENGTH} characters (QUERY_TOO_SHORT, TOO_LONG)."
                )
            ),
        ],
        country: Annotated[
            Country, strawberry.argument(description="The country to search in.")
        ],
        first: Annotated[
            int,
            strawberry.argument(
                description="How many suggestions, at least 1; more than "
                f"{places.MAX_SUGGESTIONS} is cut to {places.MAX_SUGGESTIONS}."
            ),
        ] = 5,
    ) -> list[AddressSuggestion]:
        runtime = info.context.runtime
        found = await places.address_suggestions(
            runtime.addressable,
            query=query,
            country=country.value,
            first=first,
            secret=runtime.settings.address_token_key(),
            now=info.context.now,
            client_key=_client_key(info),
            per_minute=runtime.settings.address_lookups_per_minute,
        )
        return [AddressSuggestion(token=s.token, **asdict(s.address)) for s in found]
