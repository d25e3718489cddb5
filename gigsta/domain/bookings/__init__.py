"""Bookings: the action table, who may act, and request rules (pure)."""
