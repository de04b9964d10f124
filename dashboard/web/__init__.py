"""The dashboard's one router: public login and static files, viewer pages, the ops console.

``handoff.app.include_domain_routers`` includes ``router``; each part carries its own role guard here,
the same ``require_role`` dependency every other Handoff router uses.
"""

from __future__ import annotations

from fastapi import APIRouter, Depends
from fastapi.responses import RedirectResponse

from dashboard.auth import views as auth_views
from dashboard.web import analytics, leads, ops, outcomes, static
from handoff.web import require_role

router = APIRouter(include_in_schema=False)


@router.get("/")
def home() -> RedirectResponse:
    return RedirectResponse("/dashboard/", status_code=303)


router.include_router(static.router)
router.include_router(auth_views.router)
for pages in (analytics.router, outcomes.router, leads.router):
    router.include_router(pages, dependencies=[Depends(require_role("viewer"))])
router.include_router(ops.router, dependencies=[Depends(require_role("ops"))])

__all__ = ["router"]
