"""Bookings: request, read, list, act on, and sweep bookings."""
