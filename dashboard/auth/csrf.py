"""CSRF protection for every dashboard form, and the session cookie's attributes.

A signed-in session carries a random CSRF token inside its signed cookie (``{"uid", "csrf"}``); every
form repeats it in a hidden ``csrf_token`` field and every POST is refused unless both match. Before
sign-in, the login form uses the same double-submit scheme with a short-lived signed cookie of its own,
so that another site cannot sign a browser into an attacker's account. A cross-site ``Origin`` header is
refused outright. Cookies are HttpOnly, SameSite=Lax, and Secure when Handoff is served over https.
"""

from __future__ import annotations

import hmac
import secrets
from typing import Any
from urllib.parse import urlsplit

from fastapi import Request, Response
from itsdangerous import BadSignature, URLSafeTimedSerializer

from handoff.web import SESSION_COOKIE, SESSION_MAX_AGE_SECONDS, read_session_cookie

LOGIN_COOKIE = "handoff_login"
LOGIN_MAX_AGE_SECONDS = 3600
FIELD = "csrf_token"


class CsrfRejected(Exception):
    """A form post without the token of this session: expired page, or a request forged by another site."""

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


def new_token() -> str:
    return secrets.token_urlsafe(32)


def uses_https(request: Request) -> bool:
    runtime = getattr(request.app.state, "runtime", None)
    public_url = getattr(getattr(runtime, "settings", None), "public_url", "") or ""
    return request.url.scheme == "https" or public_url.startswith("https://")


def _cookie(response: Response, request: Request, name: str, value: str, max_age: int, path: str) -> None:
    response.set_cookie(
        name, value, max_age=max_age, path=path, httponly=True, samesite="lax", secure=uses_https(request)
    )


def start_session(request: Request, response: Response, user_id: int) -> None:
    signer: URLSafeTimedSerializer = request.app.state.cookie_signer
    value = signer.dumps({"uid": user_id, "csrf": new_token()})
    _cookie(response, request, SESSION_COOKIE, value, SESSION_MAX_AGE_SECONDS, "/")
    response.delete_cookie(LOGIN_COOKIE, path="/login")


def end_session(request: Request, response: Response) -> None:
    response.delete_cookie(
        SESSION_COOKIE, path="/", httponly=True, samesite="lax", secure=uses_https(request)
    )


def session_token(request: Request) -> str | None:
    data = read_session_cookie(request)
    token = data.get("csrf") if data else None
    return token if isinstance(token, str) else None


def _login_signer(request: Request) -> URLSafeTimedSerializer:
    signer: URLSafeTimedSerializer = request.app.state.cookie_signer
    return signer.__class__(signer.secret_keys[-1], salt="handoff-login-csrf")


def login_token(request: Request) -> str | None:
    raw = request.cookies.get(LOGIN_COOKIE)
    if not raw:
        return None
    try:
        token: Any = _login_signer(request).loads(raw, max_age=LOGIN_MAX_AGE_SECONDS)
    except BadSignature:
        return None
    return token if isinstance(token, str) else None


def set_login_token(request: Request, response: Response, token: str) -> None:
    """Send the login form's token as a signed cookie next to the form that repeats it."""
    _cookie(
        response, request, LOGIN_COOKIE, _login_signer(request).dumps(token), LOGIN_MAX_AGE_SECONDS, "/login"
    )


def _check_origin(request: Request) -> None:
    origin = request.headers.get("origin")
    if not origin or origin == "null":
        return
    if urlsplit(origin).netloc != request.url.netloc:
        raise CsrfRejected(f"this form was posted from another site ({origin})")


async def check_form(request: Request, expected: str | None) -> None:
    _check_origin(request)
    form = await request.form()
    sent = form.get(FIELD)
    if not expected or not isinstance(sent, str) or not hmac.compare_digest(sent.encode(), expected.encode()):
        raise CsrfRejected("the form's security token is missing or expired")


async def require_csrf(request: Request) -> None:
    """Dependency of every dashboard POST route (except login, which checks its own token)."""
    await check_form(request, session_token(request))
