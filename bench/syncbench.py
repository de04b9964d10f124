"""Shared by ``speed_to_route.py`` and ``backfill.py``: both sandboxes and Handoff's sync service, live.

The sandboxes and Handoff's receivers are served by uvicorn on loopback; the sync service runs in its
own thread with its own event loop and an APScheduler exactly like ``handoff.scheduler`` builds it
(inbox and outbox every second, pollers at their configured intervals), over a fresh SQLite database.
Everything uses the real clock: these are measurements, not tests.
"""

from __future__ import annotations

import asyncio
import math
import sys
import tempfile
import threading
from collections.abc import Iterator
from contextlib import ExitStack, contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from apscheduler.schedulers.asyncio import AsyncIOScheduler
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import rsa
from fastapi import FastAPI
from sqlmodel import Session, SQLModel

import handoff.models  # noqa: F401  (registers every table)
from handoff.clock import utcnow
from handoff.db import make_db_engine
from sandbox.marketo import MarketoState
from sandbox.marketo import create_app as marketo_app
from sandbox.salesforce.app import create_app as salesforce_app
from sandbox.salesforce.state import SalesforceState
from sync.adapters import MarketoAdapter, SalesforceAdapter
from sync.assembly import poller_jobs, register_handlers
from sync.config import MarketoConnection, SalesforceConnection, SyncConfig
from sync.hooks.config import HookSettings
from sync.hooks.views import router as hooks_router
from sync.inbox import InboxHandlers, InboxProcessor
from sync.marketo import MarketoClient
from sync.outbox import OutboxDispatcher, OutboxHandlers
from sync.salesforce import SalesforceClient
from tests.support.servers import serve_app as serve

CONSUMER_KEY = "3MVG9bench"
MARKETO_CLIENT = "bench-client"
MARKETO_SECRET = "bench-secret-value"
WEBHOOK_SECRET = "bench-webhook-secret-0123456789"


def log(message: str) -> None:
    print(message, file=sys.stderr, flush=True)


def key_pair() -> tuple[str, str]:
    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    private = key.private_bytes(
        serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
    ).decode()
    public = (
        key.public_key()
        .public_bytes(serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo)
        .decode()
    )
    return private, public


@dataclass
class Service:
    """The sync service running in its own thread; ``stop`` returns the clients' call counts."""

    loop: asyncio.AbstractEventLoop
    thread: threading.Thread
    salesforce_client: SalesforceClient
    marketo_client: MarketoClient
    stopped: threading.Event = field(default_factory=threading.Event)

    def stop(self) -> None:
        self.stopped.set()
        self.thread.join(timeout=30)


@dataclass
class Bench:
    salesforce: SalesforceState
    marketo: MarketoState
    service_url: str
    engine: Any
    config: SyncConfig
    salesforce_url: str
    marketo_url: str
    username: str
    private_pem: str
    service: Service | None = None

    def session(self) -> Session:
        return Session(self.engine, expire_on_commit=False)

    def start(self) -> Service:
        self.service = start_service(
            self.engine, self.config, self.salesforce_url, self.username, self.private_pem, self.marketo_url
        )
        return self.service


@contextmanager
def bench_world(
    config: SyncConfig,
    *,
    start: bool = True,
    salesforce_daily_limit: int = 1_000_000,
    marketo_daily_quota: int = 50_000,
) -> Iterator[Bench]:
    """The world; with ``start`` the service runs at once, else call ``bench.start()`` when seeded."""
    private_pem, public_pem = key_pair()
    salesforce = SalesforceState(clock=utcnow, daily_api_limit=salesforce_daily_limit)
    salesforce.add_connected_app(CONSUMER_KEY, public_pem)
    marketo = MarketoState(
        clock=utcnow, client_id=MARKETO_CLIENT, client_secret=MARKETO_SECRET, daily_quota=marketo_daily_quota
    )
    directory = Path(tempfile.mkdtemp(prefix="handoff-bench-"))
    engine = make_db_engine(f"sqlite:///{directory / 'handoff.sqlite'}")
    SQLModel.metadata.create_all(engine)
    hooks = FastAPI()
    hooks.state.session_factory = lambda: Session(engine, expire_on_commit=False)
    hooks.state.clock = utcnow
    hooks.state.sync_hooks = HookSettings(organization_id=salesforce.org_id, webhook_secret=WEBHOOK_SECRET)
    hooks.include_router(hooks_router)
    with ExitStack() as stack:
        salesforce_url = stack.enter_context(serve(salesforce_app(salesforce)))
        marketo_url = stack.enter_context(serve(marketo_app(marketo)))
        service_url = stack.enter_context(serve(hooks))
        username = salesforce.get(salesforce.integration_user_id)["Username"]
        bench = Bench(
            salesforce,
            marketo,
            service_url,
            engine,
            config,
            salesforce_url,
            marketo_url,
            username,
            private_pem,
        )
        if start:
            bench.start()
        try:
            yield bench
        finally:
            if bench.service is not None:
                bench.service.stop()


def start_service(
    engine: Any, config: SyncConfig, salesforce_url: str, username: str, private_pem: str, marketo_url: str
) -> Service:
    loop = asyncio.new_event_loop()
    salesforce_client = SalesforceClient(
        SalesforceConnection(login_url=salesforce_url, consumer_key=CONSUMER_KEY, username=username),
        private_key=private_pem,
    )
    marketo_client = MarketoClient(
        MarketoConnection(base_url=marketo_url, client_id=MARKETO_CLIENT), client_secret=MARKETO_SECRET
    )
    ready = threading.Event()
    holder: dict[str, Service] = {}

    async def main(stopped: threading.Event) -> None:
        factory = lambda: Session(engine, expire_on_commit=False)  # noqa: E731
        salesforce, marketo = SalesforceAdapter(salesforce_client), MarketoAdapter(marketo_client)
        inbox_handlers, outbox_handlers = InboxHandlers(), OutboxHandlers()
        register_handlers(
            inbox_handlers,
            outbox_handlers,
            session_factory=factory,
            clock=utcnow,
            config=config,
            salesforce=salesforce,
            marketo=marketo,
        )
        jobs = [
            ("inbox", 1.0, InboxProcessor(factory, inbox_handlers, worker="bench-inbox").run_once),
            ("outbox", 1.0, OutboxDispatcher(factory, outbox_handlers, worker="bench-outbox").run_once),
            *poller_jobs(
                session_factory=factory, clock=utcnow, config=config, salesforce=salesforce, marketo=marketo
            ),
        ]
        scheduler = AsyncIOScheduler(timezone="UTC")
        for name, seconds, job in jobs:
            scheduler.add_job(
                job,
                "interval",
                seconds=seconds,
                id=name,
                max_instances=1,
                coalesce=True,
                misfire_grace_time=1,
            )
        scheduler.start()
        ready.set()
        while not stopped.is_set():
            await asyncio.sleep(0.05)
        scheduler.shutdown(wait=False)
        await salesforce_client.aclose()
        await marketo_client.aclose()

    def run() -> None:
        asyncio.set_event_loop(loop)
        loop.run_until_complete(main(holder["service"].stopped))

    thread = threading.Thread(target=run, name="handoff-sync", daemon=True)
    service = Service(loop, thread, salesforce_client, marketo_client)
    holder["service"] = service
    thread.start()
    ready.wait(timeout=15)
    return service


def percentile(values: list[float], share: float) -> float:
    """Nearest-rank percentile; NaN for an empty list (everything was lost)."""
    if not values:
        return float("nan")
    ordered = sorted(values)
    return ordered[max(1, math.ceil(share * len(ordered))) - 1]
