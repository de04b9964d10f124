"""Passwords are argon2 hashes, tokens are stored as digests, and failures say what to do."""

from __future__ import annotations

import pytest
from sqlmodel import select

from dashboard.auth import AuthError, UserService
from dashboard.auth.models import ApiToken


def test_password_is_hashed_and_verified(session, clock):
    users = UserService(session, clock)
    user = users.add("ann", "correct horse battery", "ops")
    assert user.password_hash.startswith("$argon2") and "correct horse" not in user.password_hash
    assert users.authenticate("ann", "correct horse battery").last_login_at == clock()
    with pytest.raises(AuthError, match="wrong password"):
        users.authenticate("ann", "wrong password!")
    with pytest.raises(AuthError, match="wrong password"):
        users.authenticate("nobody", "whatever123")


def test_bad_role_short_password_and_duplicates_are_refused(session, clock):
    users = UserService(session, clock)
    with pytest.raises(AuthError, match="unknown role"):
        users.add("x", "longenough1", "superuser")
    with pytest.raises(AuthError, match="8 characters"):
        users.add("x", "short", "viewer")
    users.add("x", "longenough1", "viewer")
    with pytest.raises(AuthError, match="already exists"):
        users.add("x", "longenough1", "viewer")


def test_token_is_stored_only_as_a_digest(session, clock):
    users = UserService(session, clock)
    users.add("bot", "longenough1", "ops")
    token = users.issue_token("bot", "ci")
    stored = session.exec(select(ApiToken)).one()
    assert token not in (stored.token_digest, stored.prefix) and token.startswith(stored.prefix)
    assert users.principal_for_token(token).role == "ops"


def test_disabled_user_cannot_log_in(session, clock):
    users = UserService(session, clock)
    users.add("gone", "longenough1", "viewer")
    users.set_disabled("gone")
    with pytest.raises(AuthError, match="disabled"):
        users.authenticate("gone", "longenough1")
