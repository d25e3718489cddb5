"""Booking messages: types, loaders and mutations."""
