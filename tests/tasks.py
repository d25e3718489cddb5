"""Stopping a background task a test started, for certain: the app's own
`stop`, re-exported for the tests (see its docstring)."""

from gigsta.resolvers.core.stopping import stop

__all__ = ["stop"]
