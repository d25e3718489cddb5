"""GraphQL for places: address suggestions, addresses as each viewer may
see them."""
