"""Request-scoped dependencies every router shares: the database session, the clock and the caller.

A leaf for the web layer: domain views import these dependencies (never the app factory), and the app
factory puts what they read on ``app.state`` (``session_factory``, ``clock``, ``cookie_signer``). The
request boundary commits: services flush, this dependency commits on success and rolls back on error.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import Annotated, Any

from fastapi import Depends, HTTPException, Request, status
from itsdangerous import BadSignature, URLSafeTimedSerializer
from sqlmodel import Session

from dashboard.auth.service import AuthError, Principal, UserService
from handoff.clock import Clock

SESSION_COOKIE = "handoff_session"
SESSION_MAX_AGE_SECONDS = 12 * 3600


def db_session(request: Request) -> Iterator[Session]:
    factory: Callable[[], Session] = request.app.state.session_factory
    with factory() as session:
        try:
            yield session
            session.commit()
        except BaseException:
            session.rollback()
            raise


def request_clock(request: Request) -> Clock:
    return request.app.state.clock


# scope="function": commit before the response is sent, so that a client's next request sees the write.
SessionDep = Annotated[Session, Depends(db_session, scope="function")]
ClockDep = Annotated[Clock, Depends(request_clock)]


def cookie_serializer(secret: str) -> URLSafeTimedSerializer:
    return URLSafeTimedSerializer(secret, salt="handoff-session")


def read_session_cookie(request: Request) -> dict[str, Any] | None:
    raw = request.cookies.get(SESSION_COOKIE)
    if not raw:
        return None
    serializer: URLSafeTimedSerializer = request.app.state.cookie_signer
    try:
        data = serializer.loads(raw, max_age=SESSION_MAX_AGE_SECONDS)
    except BadSignature:
        return None
    return data if isinstance(data, dict) else None


class NotAuthenticated(HTTPException):
    """401 for API callers; the dashboard turns it into a redirect to its login page for browsers."""

    def __init__(self, detail: str = "authentication required") -> None:
        super().__init__(status.HTTP_401_UNAUTHORIZED, detail, headers={"WWW-Authenticate": "Bearer"})


class Forbidden(HTTPException):
    def __init__(self, role: str) -> None:
        super().__init__(status.HTTP_403_FORBIDDEN, f"this needs the {role} role")
        self.role = role


def current_principal(request: Request, session: SessionDep, clock: ClockDep) -> Principal:
    cached = getattr(request.state, "principal", None)
    if cached is not None:
        return cached
    users = UserService(session, clock)
    header = request.headers.get("authorization", "")
    try:
        if header.lower().startswith("bearer "):
            principal = users.principal_for_token(header[7:].strip())
        else:
            data = read_session_cookie(request)
            if data is None or "uid" not in data:
                raise NotAuthenticated()
            principal = users.principal_for_user_id(int(data["uid"]))
    except AuthError as exc:
        raise NotAuthenticated(str(exc)) from exc
    request.state.principal = principal
    return principal


PrincipalDep = Annotated[Principal, Depends(current_principal)]


def require_role(role: str) -> Callable[..., Principal]:
    """The one guard for every non-public route: ``dependencies=[Depends(require_role("ops"))]``."""

    def guard(principal: PrincipalDep) -> Principal:
        if not principal.may(role):
            raise Forbidden(role)
        return principal

    guard.__name__ = f"require_{role}"
    return guard
