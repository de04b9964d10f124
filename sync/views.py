"""The ops API of the sync layer: dead letters (list, show, replay, discard) and a status summary.

Mounted under ``/api`` with the ops role guard by the app factory; the same operations as
``handoff deadletters …`` on the command line, through the same functions (``sync.deadletters``).
"""

from __future__ import annotations

from datetime import datetime
from typing import Any, Literal

from fastapi import APIRouter, HTTPException, Query
from pydantic import BaseModel
from sqlalchemy import func
from sqlmodel import select

from handoff.web import ClockDep, PrincipalDep, SessionDep
from sync.deadletters import DeadLetterError, discard, get_dead_letter, list_dead_letters, replay
from sync.models import Cursor, DeadLetter, InboxItem, OutboxMessage

router = APIRouter(prefix="/sync", tags=["sync"])


class DeadLetterSummary(BaseModel):
    id: int
    created_at: datetime
    origin: str
    operation: str
    error_class: str
    error: str
    attempts: int
    status: str


class DeadLetterDetail(DeadLetterSummary):
    origin_id: int
    idempotency_key: str | None
    payload: dict[str, Any]
    resolved_at: datetime | None
    resolved_by: str | None


class SyncStatus(BaseModel):
    inbox: dict[str, int]
    outbox: dict[str, int]
    open_dead_letters: int
    cursors: dict[str, datetime]


def _summary(letter: DeadLetter) -> DeadLetterSummary:
    return DeadLetterSummary.model_validate(letter, from_attributes=True)


def _detail(letter: DeadLetter) -> DeadLetterDetail:
    return DeadLetterDetail.model_validate(letter, from_attributes=True)


def _found(session: Any, dead_letter_id: int) -> DeadLetter:
    try:
        return get_dead_letter(session, dead_letter_id)
    except DeadLetterError as exc:
        raise HTTPException(404, str(exc)) from exc


@router.get("/dead-letters", response_model=list[DeadLetterSummary])
def dead_letters(
    session: SessionDep,
    status: Literal["open", "replayed", "discarded", "all"] = "open",
    limit: int = Query(default=50, ge=1, le=500),
    offset: int = Query(default=0, ge=0),
) -> list[DeadLetterSummary]:
    """Newest first; ``status=all`` includes replayed and discarded ones."""
    letters = list_dead_letters(session, None if status == "all" else status, limit, offset)
    return [_summary(letter) for letter in letters]


@router.get("/dead-letters/{dead_letter_id}", response_model=DeadLetterDetail)
def dead_letter(dead_letter_id: int, session: SessionDep) -> DeadLetterDetail:
    """The full request (operation and payload), the error and the attempts."""
    return _detail(_found(session, dead_letter_id))


@router.post("/dead-letters/{dead_letter_id}/replay", response_model=DeadLetterDetail)
def replay_dead_letter(
    dead_letter_id: int, session: SessionDep, clock: ClockDep, principal: PrincipalDep
) -> DeadLetterDetail:
    """Back into its queue with the same idempotency key, so it can never write twice."""
    _found(session, dead_letter_id)
    try:
        letter = replay(session, dead_letter_id, actor=principal.username, now=clock())
    except DeadLetterError as exc:
        raise HTTPException(409, str(exc)) from exc
    return _detail(letter)


@router.post("/dead-letters/{dead_letter_id}/discard", response_model=DeadLetterDetail)
def discard_dead_letter(
    dead_letter_id: int, session: SessionDep, clock: ClockDep, principal: PrincipalDep
) -> DeadLetterDetail:
    _found(session, dead_letter_id)
    try:
        letter = discard(session, dead_letter_id, actor=principal.username, now=clock())
    except DeadLetterError as exc:
        raise HTTPException(409, str(exc)) from exc
    return _detail(letter)


@router.get("/status", response_model=SyncStatus)
def status(session: SessionDep) -> SyncStatus:
    """Queue depths by status, open dead letters, and when each poller last moved its cursor."""

    def counts(model: Any) -> dict[str, int]:
        rows = session.exec(select(model.status, func.count()).group_by(model.status))
        return {str(state): int(count) for state, count in rows}

    open_letters = session.exec(select(func.count()).where(DeadLetter.status == "open")).one()
    cursors = {row.name: row.updated_at for row in session.exec(select(Cursor))}
    return SyncStatus(
        inbox=counts(InboxItem),
        outbox=counts(OutboxMessage),
        open_dead_letters=int(open_letters),
        cursors=cursors,
    )
