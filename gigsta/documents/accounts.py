from __future__ import annotations

from datetime import datetime

from beanie import Document

from gigsta.domain.accounts import Role


class User(Document):
    """A sign-in identity. `email` is stored normalised (see `normalize_email`),
    and a unique index on it (migration 0001) makes it unique case-insensitively.
    """

    email: str
    password_hash: str
    role: Role
    created_at: datetime
    updated_at: datetime

    class Settings:
        name = "users"
