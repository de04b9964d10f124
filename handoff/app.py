"""The FastAPI application: health, readiness, metrics, OpenAPI docs, the domain routers, the scheduler.

Every non-public router is included with the single role guard from ``handoff.web``; the public ones
are health, metrics (when ``HANDOFF_METRICS_PUBLIC`` is true) and the inbound hooks, which authenticate
themselves (organization id / shared secret).
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any

from fastapi import Depends, FastAPI, Request, Response
from fastapi.responses import JSONResponse
from prometheus_client import CONTENT_TYPE_LATEST, Info, generate_latest
from sqlalchemy import text

from dashboard.web import router as dashboard_router
from handoff import __version__, db, wiring
from handoff.api import router as api_router
from handoff.bridges.active import full_validator
from handoff.runtime import Runtime
from handoff.scheduler import build_scheduler
from handoff.web import cookie_serializer, require_role
from routing.views import config_validator
from routing.views import router as routing_router
from sync.hooks.views import router as sync_hooks_router
from sync.views import router as sync_ops_router

BUILD_INFO = Info("handoff_build", "Version of the running Handoff")
BUILD_INFO.info({"version": __version__})


def include_domain_routers(app: FastAPI) -> None:
    """Every router, with its guard. Public: health, metrics (if configured) and the self-authenticating hooks."""
    app.include_router(api_router, prefix="/api")
    app.include_router(
        sync_hooks_router
    )  # public: hooks authenticate themselves (org id, basic auth, secret)
    app.include_router(sync_ops_router, prefix="/api", dependencies=[Depends(require_role("ops"))])
    app.include_router(
        routing_router, dependencies=[Depends(require_role("ops"))]
    )  # its prefix: /api/routing
    app.include_router(
        dashboard_router
    )  # login + static public; pages viewer, /dashboard/ops/* ops (dashboard.web)


def create_app(runtime: Runtime, *, start_scheduler: bool | None = None) -> FastAPI:
    settings = runtime.settings
    run_jobs = settings.run_scheduler if start_scheduler is None else start_scheduler

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        # Built once per process (or taken from runtime.extras when the demo or a test built it first);
        # only an assembly built here has its clients closed here.
        built_here = wiring.ASSEMBLY_KEY not in runtime.extras
        assembly = wiring.assembly_of(runtime)
        if assembly is not None:
            app.state.sync_hooks = assembly.hook_settings
        app.state.assembly = assembly
        scheduler = build_scheduler(runtime) if run_jobs else None
        if scheduler is not None:
            scheduler.start()
        app.state.scheduler = scheduler
        try:
            yield
        finally:
            if scheduler is not None:
                scheduler.shutdown(wait=False)
            if assembly is not None and built_here:
                await assembly.aclose()
                runtime.extras.pop(wiring.ASSEMBLY_KEY, None)

    app = FastAPI(
        title="Handoff",
        version=__version__,
        description="Marketo → Salesforce lead handoff: gate, assignment, SLA and leakage.",
        lifespan=lifespan,
    )
    app.state.runtime = runtime
    app.state.session_factory = runtime.session_factory
    app.state.clock = runtime.clock
    app.state.cookie_signer = cookie_serializer(settings.session_secret())
    # Config versions hold routing and sla together: check both sections and their cross-references.
    app.dependency_overrides[config_validator] = lambda: full_validator

    @app.get("/healthz", tags=["health"])
    def healthz() -> dict[str, str]:
        """Alive: the process answers. Says nothing about the database (that is /readyz)."""
        return {"status": "alive", "version": __version__}

    @app.get("/readyz", tags=["health"])
    def readyz() -> Response:
        """Ready: the database answers and its schema is at this version's migration head."""
        problems: list[str] = []
        try:
            with runtime.engine.connect() as connection:
                connection.execute(text("SELECT 1"))
            status = db.migration_status(runtime.engine)
            if not status.is_current:
                problems.append(f"migrations behind: at {status.current}, need {status.head}")
        except Exception as exc:
            problems.append(f"database unreachable: {type(exc).__name__}")
        if problems:
            return JSONResponse({"status": "not ready", "problems": problems}, status_code=503)
        return JSONResponse({"status": "ready"})

    metrics_dependencies: list[Any] = [] if settings.metrics_public else [Depends(require_role("admin"))]

    @app.get("/metrics", tags=["health"], dependencies=metrics_dependencies)
    def metrics() -> Response:
        return Response(generate_latest(), media_type=CONTENT_TYPE_LATEST)

    include_domain_routers(app)

    @app.exception_handler(ValueError)
    async def value_error(_: Request, exc: ValueError) -> JSONResponse:
        return JSONResponse({"detail": str(exc)}, status_code=400)

    return app
