"""Login and logout pages: the only dashboard routes open to anonymous browsers."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Form, Request, Response
from fastapi.responses import RedirectResponse

from dashboard.auth.csrf import (
    check_form,
    end_session,
    login_token,
    new_token,
    require_csrf,
    set_login_token,
    start_session,
)
from dashboard.auth.service import AuthError, UserService
from dashboard.web.render import render
from dashboard.web.route import DashboardRoute
from handoff.web import ClockDep, SessionDep, read_session_cookie

router = APIRouter(route_class=DashboardRoute, tags=["dashboard"], include_in_schema=False)
HOME = "/dashboard/"


def safe_next(target: str | None) -> str:
    """Only paths on this server: never an absolute URL or ``//host`` (no open redirect after login)."""
    if not target or not target.startswith("/") or target.startswith("//") or "\\" in target:
        return HOME
    return target


def _login_form(
    request: Request, next_url: str, *, error: str | None = None, username: str = "", status: int = 200
) -> Response:
    # Reuse the browser's current login token so that two open tabs can both sign in.
    token = login_token(request) or new_token()
    context = {"next_url": next_url, "error": error, "username": username, "csrf_token": token}
    response = render(request, "login.html", context, status_code=status, title="Sign in")
    set_login_token(request, response, token)
    return response


@router.get("/login")
def login_page(request: Request, next: str | None = None) -> Response:
    data = read_session_cookie(request)
    if data and "uid" in data:
        return RedirectResponse(safe_next(next), status_code=303)
    return _login_form(request, safe_next(next))


@router.post("/login")
async def login(
    request: Request,
    session: SessionDep,
    clock: ClockDep,
    username: Annotated[str, Form(max_length=255)] = "",
    password: Annotated[str, Form(max_length=1024)] = "",
    next: Annotated[str, Form(max_length=2048)] = HOME,
) -> Response:
    await check_form(request, login_token(request))
    try:
        user = UserService(session, clock).authenticate(username, password)
    except AuthError as exc:
        return _login_form(
            request, safe_next(next), error=str(exc).capitalize() + ".", username=username, status=401
        )
    response = RedirectResponse(safe_next(next), status_code=303)
    assert user.id is not None
    start_session(request, response, user.id)
    return response


@router.post("/logout", dependencies=[Depends(require_csrf)])
def logout(request: Request) -> Response:
    response = RedirectResponse("/login", status_code=303)
    end_session(request, response)
    return response
