"""The API's ids are Relay global ids (opaque to clients); tests that reach
past the API, into the database or a token's claims, need the document id
inside one, or the global id of a document they made."""

from __future__ import annotations

from strawberry.relay import GlobalID


def raw_id(global_id: str) -> str:
    """The document id inside a global id."""
    return GlobalID.from_id(global_id).node_id


def global_id(type_name: str, document_id: object) -> str:
    """The global id the API gives the document `document_id` of `type_name`."""
    return str(GlobalID(type_name, str(document_id)))
