"""Notification preferences: which emails an account wants.

Only booking updates can be turned off; essential emails (money moved, a
cancellation: `gigsta.domain.notifications.rules.ESSENTIAL_NOTICES`) always go.
The dispatcher reads the choice when it fans an event out, so a change applies
to events not yet fanned out.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from gigsta.documents import User
from gigsta.documents.accounts import NotificationPreferences
from gigsta.domain.accounts import SIGN_IN_FIRST
from gigsta.resolvers.core.ids import parse_object_id

if TYPE_CHECKING:
    from datetime import datetime

    from gigsta.domain.accounts import Viewer
    from gigsta.domain.core import UserError


@dataclass(frozen=True, slots=True)
class PreferencesResult:
    preferences: NotificationPreferences | None
    errors: list[UserError] = field(default_factory=list)


async def update_preferences(
    viewer: Viewer | None, *, booking_updates: bool | None, now: datetime
) -> PreferencesResult:
    """Change the viewer's own preferences (fields left None stay)."""
    oid = parse_object_id(viewer.user_id) if viewer is not None else None
    user = await User.get(oid) if oid is not None else None
    if user is None:
        return PreferencesResult(None, [SIGN_IN_FIRST])
    changes = {} if booking_updates is None else {"booking_updates": booking_updates}
    preferences = user.notification_preferences.model_copy(update=changes)
    await User.get_pymongo_collection().update_one(
        {"_id": user.id},
        {
            "$set": {
                "notification_preferences": preferences.model_dump(mode="python"),
                "updated_at": now,
            }
        },
    )
    return PreferencesResult(preferences)
