"""Availability: worker schedules, their exceptions and bookable slots."""
