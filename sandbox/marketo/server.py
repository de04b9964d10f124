"""The ASGI app of the Marketo emulator and the ``handoff sandbox marketo`` entry point.

The app serves at the root path, as ``https://{munchkinId}.mktorest.com`` does: ``/identity/oauth/token``,
``/rest/v1/…``, ``/rest/asset/v1/…``, plus the sandbox's own ``/_admin`` API. Request-level failures are
envelopes with HTTP 200 (reference/marketo.md §2): an unknown path is 610, a wrong method 605 (not
counted toward the limits), an unexpected exception 611. The webhook dispatcher runs in the app's
lifespan, so webhook calls go out while the server runs.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import os
import socket
from collections.abc import AsyncIterator, Callable
from pathlib import Path

import uvicorn
from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from starlette.exceptions import HTTPException as StarletteHTTPException
from starlette.middleware.gzip import GZipMiddleware
from starlette.responses import Response

from handoff.clock import Clock
from sandbox.marketo import (
    routes_activities,
    routes_admin,
    routes_auth,
    routes_campaigns,
    routes_companies,
    routes_leads,
    routes_lists,
    routes_programs,
)
from sandbox.marketo.envelope import MarketoError, failure_body, json_response
from sandbox.marketo.gateway import MarketoGateway
from sandbox.marketo.state import MarketoState

#: Responses under 1 KB are not compressed (§7 "Gzip except <1 KB").
GZIP_MINIMUM_BYTES = 1024


def create_app(
    state: MarketoState,
    clock: Clock | None = None,
    *,
    admin_token: str | None = None,
    deliver_webhooks: bool = True,
) -> FastAPI:
    """The emulator app for ``state``. A ``clock`` given here becomes the state's clock too, so tokens,
    limits and activity dates all read one time. With ``deliver_webhooks`` the lifespan delivers webhook
    calls as they are queued; without it, call ``await state.webhooks.drain()``."""
    if clock is not None:
        state.clock = clock

    @contextlib.asynccontextmanager
    async def lifespan(_: FastAPI) -> AsyncIterator[None]:
        runner = asyncio.create_task(state.webhooks.run()) if deliver_webhooks else None
        try:
            yield
        finally:
            if runner is not None:
                runner.cancel()
                with contextlib.suppress(asyncio.CancelledError):
                    await runner

    app = FastAPI(
        title="Marketo sandbox",
        lifespan=lifespan,
        docs_url=None,
        redoc_url=None,
        openapi_url="/_admin/openapi.json",
    )
    app.state.marketo = state
    app.state.marketo_admin_token = admin_token
    for module in (
        routes_auth,
        routes_leads,
        routes_activities,
        routes_programs,
        routes_lists,
        routes_companies,
        routes_campaigns,
        routes_admin,
    ):
        app.include_router(module.router)
    _install_error_handlers(app, state)
    app.add_middleware(MarketoGateway, state=state)
    app.add_middleware(GZipMiddleware, minimum_size=GZIP_MINIMUM_BYTES)
    return app


def _install_error_handlers(app: FastAPI, state: MarketoState) -> None:
    def envelope(request: Request, code: str, message: str) -> Response:
        request.state.marketo_error_code = code
        return json_response(failure_body(state.clock(), code, message))

    @app.exception_handler(MarketoError)
    async def marketo_error(request: Request, error: MarketoError) -> Response:
        return envelope(request, error.code, error.message)

    @app.exception_handler(StarletteHTTPException)
    async def http_error(request: Request, error: StarletteHTTPException) -> Response:
        if request.url.path.startswith("/_admin"):
            return JSONResponse({"detail": error.detail}, status_code=error.status_code)
        if error.status_code == 405:
            return envelope(request, "605", f"Request method '{request.method}' not supported")
        return envelope(request, "610", "Requested resource not found")

    @app.exception_handler(RequestValidationError)
    async def invalid_request(request: Request, error: RequestValidationError) -> Response:
        if request.url.path.startswith("/_admin"):
            return JSONResponse({"detail": error.errors()}, status_code=400)
        return envelope(request, "1003", "Invalid request parameters")

    @app.exception_handler(Exception)
    async def system_error(request: Request, error: Exception) -> Response:
        return json_response(failure_body(state.clock(), "611", "System error"))


def write_credentials(path: Path, document: dict[str, str]) -> None:
    """Write the credentials file readable by its owner only (it holds the client secret)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    descriptor = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(descriptor, "w", encoding="utf-8") as handle:
        json.dump(document, handle, indent=2)
        handle.write("\n")


def run(
    host: str,
    port: int,
    *,
    credentials_out: Path | None = None,
    seed: Callable[[MarketoState], None] | None = None,
    state: MarketoState | None = None,
    clock: Clock | None = None,
    limits_enabled: bool = True,
    admin_token: str | None = None,
    log_level: str = "info",
) -> None:
    """Serve an emulated instance until interrupted (``handoff sandbox marketo --port N``).

    ``seed`` populates the state before the first request (the world generator, ``--world SEED``).
    Port 0 picks a free port; the credentials file is written once the socket is bound, with the real
    port in ``base_url``. Uvicorn's access log stays off: identity calls carry the client secret in
    the query string (§1), and secrets must never reach logs.
    """
    instance = state or MarketoState(limits_enabled=limits_enabled)
    if clock is not None:
        instance.clock = clock
    if seed is not None:
        seed(instance)
    sock = socket.socket(socket.AF_INET6 if ":" in host else socket.AF_INET, socket.SOCK_STREAM)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    sock.bind((host, port))
    bound_port = sock.getsockname()[1]
    public_host = "127.0.0.1" if host in ("0.0.0.0", "") else host
    if ":" in public_host:
        public_host = f"[{public_host}]"
    base_url = f"http://{public_host}:{bound_port}"
    if credentials_out is not None:
        write_credentials(credentials_out, instance.credentials_document(base_url))
    app = create_app(instance, admin_token=admin_token)
    config = uvicorn.Config(app, log_level=log_level, access_log=False, lifespan="on")
    uvicorn.Server(config).run(sockets=[sock])
