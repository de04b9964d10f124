"""``create_app``: the emulator as one FastAPI app served at the root path, like a Salesforce instance.

It mounts OAuth (``/services/oauth2/token``), REST (``/services/data/vNN.N/…``), SOAP
(``/services/Soap/u/…``) and the sandbox's own admin API (``/_sandbox``), and turns every error on a REST
path into Salesforce's JSON array (reference §2), unknown paths and methods included. Given
``run_outbound=True`` a background task delivers due Outbound Messages in a loop (the server does this;
tests call ``OutboundSender.deliver_due`` themselves); ``periodic`` jobs (persistence) share that loop.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import AsyncIterator, Callable, Sequence
from contextlib import asynccontextmanager
from datetime import datetime

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import Response
from starlette.exceptions import HTTPException as StarletteHTTPException
from starlette.routing import Match

from sandbox.salesforce import (
    oauth,
    routes_admin,
    routes_composite,
    routes_misc,
    routes_query,
    routes_sobjects,
    soap,
)
from sandbox.salesforce.errors import ApiError, method_not_allowed, not_found
from sandbox.salesforce.middleware import SalesforceApiMiddleware
from sandbox.salesforce.outbound import OutboundSender
from sandbox.salesforce.rest import json_response
from sandbox.salesforce.state import SalesforceState

log = logging.getLogger(__name__)

ROUTERS = tuple(
    m.router
    for m in (oauth, routes_misc, routes_query, routes_composite, routes_sobjects, soap, routes_admin)
)


def _error_response(error: ApiError) -> Response:
    if error.status == 300:
        return json_response(error.extra.get("urls", []), 300, error.headers)
    return json_response(error.rest_body(), error.status, error.headers)


def create_app(
    state: SalesforceState,
    clock: Callable[[], datetime] | None = None,
    *,
    outbound_sender: OutboundSender | None = None,
    run_outbound: bool = False,
    outbound_interval_seconds: float = 1.0,
    periodic: Sequence[Callable[[], None]] = (),
) -> FastAPI:
    """The emulator app for ``state``; ``clock`` (default: the state's own) becomes the org's clock."""
    if clock is not None:
        state.clock = clock
    sender = outbound_sender or OutboundSender(state)

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        jobs = ([sender.deliver_due] if run_outbound else []) + list(periodic)
        task = asyncio.create_task(_every(jobs, outbound_interval_seconds)) if jobs else None
        try:
            yield
        finally:
            if task is not None:
                task.cancel()
                with contextlib.suppress(asyncio.CancelledError):
                    await task

    app = FastAPI(
        title="Salesforce sandbox", docs_url=None, redoc_url=None, openapi_url=None, lifespan=lifespan
    )
    app.state.salesforce = state
    app.state.outbound_sender = sender
    for router in ROUTERS:
        app.include_router(router)

    @app.exception_handler(ApiError)
    async def api_error(request: Request, error: ApiError) -> Response:
        return _error_response(error)

    @app.exception_handler(StarletteHTTPException)
    async def http_error(request: Request, error: StarletteHTTPException) -> Response:
        if request.url.path.startswith("/services/"):
            if error.status_code == 405:
                return _error_response(method_not_allowed(request.method, _allowed_methods(app, request)))
            if error.status_code == 404:
                return _error_response(not_found())
        return json_response({"detail": error.detail}, error.status_code, dict(error.headers or {}))

    @app.exception_handler(RequestValidationError)
    async def validation_error(request: Request, error: RequestValidationError) -> Response:
        if request.url.path.startswith("/services/"):
            problems = "; ".join(str(e.get("msg")) for e in error.errors())
            return _error_response(
                ApiError(400, "INVALID_QUERY_FILTER_OPERATOR", problems or "invalid parameter")
            )
        return json_response({"detail": error.errors()}, 422)

    app.add_middleware(SalesforceApiMiddleware, state=state)
    return app


def _allowed_methods(app: FastAPI, request: Request) -> str:
    """Every method some route accepts on this path, as Salesforce lists them in its 405 message."""
    methods: set[str] = set()
    for route in (route for router in ROUTERS for route in router.routes):
        match, _ = route.matches({**request.scope, "method": "GET"})
        if match is not Match.NONE:
            methods |= set(getattr(route, "methods", None) or ())
    return ",".join(sorted(methods)) or "GET"


async def _every(jobs: list[Callable[[], object]], interval: float) -> None:
    """Run the background jobs (Outbound Message delivery, persistence) one after another, forever."""
    while True:
        for job in jobs:
            try:
                await asyncio.to_thread(job)
            except Exception:
                log.exception("background job %s failed", getattr(job, "__name__", job))
        await asyncio.sleep(interval)
