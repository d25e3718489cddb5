"""Partners and API keys made through the API, as an admin makes them."""

from __future__ import annotations

from typing import Any

from tests.conftest import GraphQLClient

CREATE_PARTNER = """mutation($i: CreatePartnerInput!) { createPartner(input: $i) {
  partner { id name } errors { field code message } } }"""
CREATE_KEY = """mutation($i: CreateApiKeyInput!) { createApiKey(input: $i) {
  key apiKey { id prefix scopes expiresAt revokedAt lastUsedAt }
  errors { field code message } } }"""
REVOKE_KEY = """mutation($i: RevokeApiKeyInput!) { revokeApiKey(input: $i) {
  apiKey { id revokedAt } errors { field code message } } }"""


async def make_partner(gql: GraphQLClient, admin: str, name: str = "Harbour PM") -> str:
    data = await gql(CREATE_PARTNER, {"i": {"name": name, "country": "NZ"}}, admin)
    assert data["createPartner"]["errors"] == []
    partner_id: str = data["createPartner"]["partner"]["id"]
    return partner_id


async def make_key(
    gql: GraphQLClient,
    admin: str,
    partner_id: str,
    scopes: list[str],
    expires_at: str | None = None,
) -> dict[str, Any]:
    """The `createApiKey` payload: `key` (the secret) and `apiKey`."""
    data = await gql(
        CREATE_KEY,
        {
            "i": {
                "partnerId": partner_id,
                "name": "integration",
                "scopes": scopes,
                "expiresAt": expires_at,
            }
        },
        admin,
    )
    payload: dict[str, Any] = data["createApiKey"]
    assert payload["errors"] == [], payload["errors"]
    return payload
