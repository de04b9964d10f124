"""The route class of every dashboard page: server timing, login redirects and the 403 page.

Authentication errors are raised by the role guard (``handoff.web.require_role``) before a page runs.
A browser asking for HTML gets a redirect to the login page (with the page to come back to) or a
readable 403 page; an API client keeps the JSON 401/403 the rest of Handoff answers. Every response
carries ``Server-Timing: app;dur=<ms>`` (handler time, what the benchmark reads) and the page's
security headers.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Coroutine
from typing import Any
from urllib.parse import quote

from fastapi import Request, Response
from fastapi.responses import RedirectResponse
from fastapi.routing import APIRoute

from dashboard.auth.csrf import CsrfRejected
from dashboard.web.render import error_page, forbidden_page
from handoff.web import Forbidden, NotAuthenticated

# Pages load only their own scripts and styles: plotly.js is served by Handoff, never by a CDN.
CONTENT_SECURITY_POLICY = (
    "default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; img-src 'self' data:; "
    "font-src 'self'; connect-src 'self'; object-src 'none'; base-uri 'none'; form-action 'self'; "
    "frame-ancestors 'none'"
)


def wants_html(request: Request) -> bool:
    accept = request.headers.get("accept", "")
    return "text/html" in accept or (not accept and request.method == "GET")


def login_redirect(request: Request) -> RedirectResponse:
    target = request.url.path + (f"?{request.url.query}" if request.url.query else "")
    return RedirectResponse(f"/login?next={quote(target, safe='')}", status_code=303)


def secure_headers(response: Response) -> Response:
    response.headers.setdefault("Content-Security-Policy", CONTENT_SECURITY_POLICY)
    response.headers.setdefault("X-Content-Type-Options", "nosniff")
    response.headers.setdefault("Referrer-Policy", "same-origin")
    response.headers.setdefault("X-Frame-Options", "DENY")
    return response


class DashboardRoute(APIRoute):
    def get_route_handler(self) -> Callable[[Request], Coroutine[Any, Any, Response]]:
        handler = super().get_route_handler()

        async def timed(request: Request) -> Response:
            started = time.perf_counter()
            try:
                response = await handler(request)
            except NotAuthenticated:
                if not wants_html(request):
                    raise
                response = login_redirect(request)
            except Forbidden as exc:
                if not wants_html(request):
                    raise
                response = forbidden_page(request, exc.role)
            except CsrfRejected as exc:
                response = error_page(
                    request,
                    403,
                    "Form refused",
                    f"Nothing was changed: {exc.reason}.",
                    "Reload the page and try again.",
                )
            elapsed_ms = (time.perf_counter() - started) * 1000
            response.headers["Server-Timing"] = f"app;dur={elapsed_ms:.1f}"
            if response.headers.get("content-type", "").startswith("text/html"):
                response.headers.setdefault("Cache-Control", "no-store")
            return secure_headers(response)

        return timed
