"""User and API-token tables. Passwords are argon2 hashes; API tokens are stored as SHA-256 digests only."""

from __future__ import annotations

from datetime import datetime

from sqlmodel import Field, SQLModel

from handoff.types import UtcDateTime

# Ordered: each role may do everything the roles before it may.
ROLES = ("viewer", "ops", "admin")


class User(SQLModel, table=True):
    __tablename__ = "app_user"

    id: int | None = Field(default=None, primary_key=True)
    username: str = Field(max_length=255, unique=True)
    email: str | None = Field(default=None, max_length=320)
    password_hash: str = Field(max_length=255)
    role: str = Field(default="viewer", max_length=16)
    disabled: bool = False
    created_at: datetime = Field(sa_type=UtcDateTime)
    last_login_at: datetime | None = Field(default=None, sa_type=UtcDateTime)


class ApiToken(SQLModel, table=True):
    """A token for a machine client, acting with its user's role; the clear text is shown once at creation."""

    __tablename__ = "api_token"

    id: int | None = Field(default=None, primary_key=True)
    user_id: int = Field(foreign_key="app_user.id", index=True)
    name: str = Field(max_length=255)
    token_digest: str = Field(max_length=64, unique=True)
    prefix: str = Field(max_length=12, description="first characters, to recognise a token in lists")
    created_at: datetime = Field(sa_type=UtcDateTime)
    last_used_at: datetime | None = Field(default=None, sa_type=UtcDateTime)
    revoked_at: datetime | None = Field(default=None, sa_type=UtcDateTime)
