"""Platform API: who am I, users and tokens (admin). Domain APIs live in their packages' views."""

from __future__ import annotations

from fastapi import APIRouter, Depends, HTTPException
from pydantic import BaseModel

from dashboard.auth import AuthError, UserService
from handoff.web import ClockDep, PrincipalDep, SessionDep, require_role

router = APIRouter(tags=["platform"])


class Me(BaseModel):
    username: str
    role: str
    via: str


class UserRead(BaseModel):
    username: str
    role: str
    disabled: bool
    email: str | None


class UserCreate(BaseModel):
    username: str
    password: str
    role: str = "viewer"
    email: str | None = None


class TokenCreate(BaseModel):
    name: str


@router.get("/me", response_model=Me, dependencies=[Depends(require_role("viewer"))])
def me(principal: PrincipalDep) -> Me:
    return Me(username=principal.username, role=principal.role, via=principal.via)


@router.get("/users", response_model=list[UserRead], dependencies=[Depends(require_role("admin"))])
def list_users(session: SessionDep, clock: ClockDep) -> list[UserRead]:
    return [
        UserRead(username=u.username, role=u.role, disabled=u.disabled, email=u.email)
        for u in UserService(session, clock).list()
    ]


@router.post(
    "/users", response_model=UserRead, status_code=201, dependencies=[Depends(require_role("admin"))]
)
def add_user(body: UserCreate, session: SessionDep, clock: ClockDep) -> UserRead:
    try:
        user = UserService(session, clock).add(body.username, body.password, body.role, body.email)
    except AuthError as exc:
        raise HTTPException(400, str(exc)) from exc
    return UserRead(username=user.username, role=user.role, disabled=user.disabled, email=user.email)


@router.post("/tokens", status_code=201, dependencies=[Depends(require_role("viewer"))])
def create_token(
    body: TokenCreate, principal: PrincipalDep, session: SessionDep, clock: ClockDep
) -> dict[str, str]:
    """A token acting as the caller; the clear text is returned once and never stored."""
    token = UserService(session, clock).issue_token(principal.username, body.name)
    return {"token": token, "name": body.name}
