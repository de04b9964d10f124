"""Ops console (ops role): dead letters with replay / discard, and the sync status; the config editor
lives in ``ops_config``. Every change goes through the owning package's functions (``sync.deadletters``).
"""

from __future__ import annotations

import json
from typing import Annotated, Literal
from urllib.parse import urlencode

from fastapi import APIRouter, Depends, Query, Request, Response
from fastapi.responses import RedirectResponse

from dashboard.auth.csrf import require_csrf
from dashboard.queries.sync_status import sync_status
from dashboard.web import ops_config
from dashboard.web.render import render
from dashboard.web.route import DashboardRoute
from handoff.web import ClockDep, PrincipalDep, SessionDep
from sync.deadletters import DeadLetterError, discard, list_dead_letters, replay

router = APIRouter(route_class=DashboardRoute, include_in_schema=False)
router.include_router(ops_config.router)
PATH = "/dashboard/ops/dead-letters"
Status = Literal["open", "replayed", "discarded", "all"]


@router.get("/dashboard/ops/")
def ops_home() -> RedirectResponse:
    return RedirectResponse(ops_config.PATH, status_code=303)


@router.get(PATH)
def dead_letters_page(
    request: Request,
    session: SessionDep,
    status: Annotated[Status, Query()] = "open",
    offset: Annotated[int, Query(ge=0)] = 0,
    notice: str | None = None,
    error: str | None = None,
) -> Response:
    page_size = 50
    letters = list_dead_letters(session, None if status == "all" else status, page_size + 1, offset)
    more = len(letters) > page_size
    return render(
        request,
        "ops/dead_letters.html",
        {
            "current": "ops_dead_letters",
            "letters": letters[:page_size],
            "status": status,
            "statuses": ("open", "replayed", "discarded", "all"),
            "next_url": f"{PATH}?{urlencode({'status': status, 'offset': offset + page_size})}"
            if more
            else None,
            "notice": notice,
            "error": error,
            "pretty": lambda data: json.dumps(data, indent=2, sort_keys=True, default=str),
        },
        title="Dead letters",
    )


@router.post(PATH + "/{dead_letter_id}/{action}", dependencies=[Depends(require_csrf)])
def resolve(
    dead_letter_id: int,
    action: Literal["replay", "discard"],
    session: SessionDep,
    clock: ClockDep,
    principal: PrincipalDep,
) -> Response:
    """Replay puts the message back in its queue with the same idempotency key; discard closes it."""
    act = replay if action == "replay" else discard
    try:
        act(session, dead_letter_id, actor=principal.username, now=clock())
    except DeadLetterError as exc:
        return RedirectResponse(f"{PATH}?{urlencode({'error': str(exc)})}", status_code=303)
    done = "replayed: it is back in its queue" if action == "replay" else "discarded"
    return RedirectResponse(
        f"{PATH}?{urlencode({'notice': f'Dead letter #{dead_letter_id} {done}.'})}", status_code=303
    )


@router.get("/dashboard/ops/sync")
def sync_page(request: Request, session: SessionDep, clock: ClockDep) -> Response:
    return render(
        request,
        "ops/sync.html",
        {"current": "ops_sync", "status": sync_status(session.connection(), clock())},
        title="Sync status",
    )
