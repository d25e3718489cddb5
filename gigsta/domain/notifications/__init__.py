"""Notifications: who is told of which booking event, and what they are told.

Pure: `rules` maps an event to the notices it makes (one per party told) and
says which notices are essential; `templates` writes each notice as an email
(subject and plain-text body) in New Zealand or Australian English, with times
in the booking's time zone; `retries` is the outbox's backoff schedule.
"""
