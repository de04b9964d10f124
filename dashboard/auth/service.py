"""User management and authentication. Flushes, never commits: the caller's boundary commits."""

from __future__ import annotations

import hashlib
import hmac
import secrets
from dataclasses import dataclass

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from sqlmodel import Session, select

from dashboard.auth.models import ROLES, ApiToken, User
from handoff.clock import Clock, utcnow

_hasher = PasswordHasher()
TOKEN_PREFIX = "hnd_"
# A hash computed once so that "no such user" costs as much as "wrong password" (no user enumeration by timing).
_DUMMY_HASH = _hasher.hash("handoff-timing-equaliser")


class AuthError(Exception):
    """A refusal a user can act on: unknown user, wrong password, disabled account, bad token."""


@dataclass(frozen=True)
class Principal:
    """Who is calling: enough for authorisation and for audit trails, never the secret."""

    user_id: int
    username: str
    role: str
    via: str  # "session" | "token"

    def may(self, role: str) -> bool:
        return ROLES.index(self.role) >= ROLES.index(role)


def digest_token(token: str) -> str:
    return hashlib.sha256(token.encode("utf-8")).hexdigest()


class UserService:
    def __init__(self, session: Session, clock: Clock = utcnow) -> None:
        self.session = session
        self.clock = clock

    def add(self, username: str, password: str, role: str = "viewer", email: str | None = None) -> User:
        if role not in ROLES:
            raise AuthError(f"unknown role {role!r}: choose one of {', '.join(ROLES)}")
        username = username.strip()
        if not username:
            raise AuthError("a username is required")
        if len(password) < 8:
            raise AuthError("a password needs at least 8 characters")
        if self.by_username(username) is not None:
            raise AuthError(f"user {username!r} already exists")
        user = User(
            username=username,
            email=email,
            password_hash=_hasher.hash(password),
            role=role,
            created_at=self.clock(),
        )
        self.session.add(user)
        self.session.flush()
        return user

    def by_username(self, username: str) -> User | None:
        return self.session.exec(select(User).where(User.username == username.strip())).first()

    def list(self) -> list[User]:
        return list(self.session.exec(select(User).order_by(User.username)))

    def set_disabled(self, username: str, disabled: bool = True) -> User:
        user = self.by_username(username)
        if user is None:
            raise AuthError(f"no user {username!r}")
        user.disabled = disabled
        if disabled:
            for token in self.session.exec(select(ApiToken).where(ApiToken.user_id == user.id)):
                token.revoked_at = token.revoked_at or self.clock()
        self.session.add(user)
        self.session.flush()
        return user

    def authenticate(self, username: str, password: str) -> User:
        user = self.by_username(username)
        if user is None:
            _verify(_DUMMY_HASH, password)
            raise AuthError("unknown user or wrong password")
        if not _verify(user.password_hash, password):
            raise AuthError("unknown user or wrong password")
        if user.disabled:
            raise AuthError("this account is disabled")
        if _hasher.check_needs_rehash(user.password_hash):
            user.password_hash = _hasher.hash(password)
        user.last_login_at = self.clock()
        self.session.add(user)
        self.session.flush()
        return user

    def issue_token(self, username: str, name: str) -> str:
        """Create an API token and return its clear text (the only time it is ever visible)."""
        user = self.by_username(username)
        if user is None or user.disabled:
            raise AuthError(f"no active user {username!r}")
        token = TOKEN_PREFIX + secrets.token_urlsafe(32)
        assert user.id is not None
        self.session.add(
            ApiToken(
                user_id=user.id,
                name=name,
                token_digest=digest_token(token),
                prefix=token[:12],
                created_at=self.clock(),
            )
        )
        self.session.flush()
        return token

    def principal_for_token(self, token: str) -> Principal:
        digest = digest_token(token)
        row = self.session.exec(select(ApiToken).where(ApiToken.token_digest == digest)).first()
        if row is None or row.revoked_at is not None or not hmac.compare_digest(row.token_digest, digest):
            raise AuthError("invalid or revoked API token")
        user = self.session.get(User, row.user_id)
        if user is None or user.disabled:
            raise AuthError("the token's user is disabled")
        row.last_used_at = self.clock()
        self.session.add(row)
        assert user.id is not None
        return Principal(user.id, user.username, user.role, "token")

    def principal_for_user_id(self, user_id: int) -> Principal:
        user = self.session.get(User, user_id)
        if user is None or user.disabled:
            raise AuthError("session user no longer active")
        assert user.id is not None
        return Principal(user.id, user.username, user.role, "session")


def _verify(password_hash: str, password: str) -> bool:
    try:
        return _hasher.verify(password_hash, password)
    except (VerificationError, InvalidHashError):
        return False
