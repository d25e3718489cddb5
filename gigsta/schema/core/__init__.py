"""What every part of the schema shares: the request context, errors,
connections, the domain enums and the node registry."""
