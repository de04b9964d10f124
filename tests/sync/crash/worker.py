"""A Handoff sync worker as its own process, for the kill -9 test: ``python -m tests.sync.crash.worker SPEC``.

SPEC is a JSON file: the database URL (and PostgreSQL schema), both sandboxes' URLs and credentials,
and optionally ``crash_after_salesforce_writes``: the worker then SIGKILLs itself right after that many
Salesforce writes have returned, before anything about them is committed here, the worst moment there
is. It polls Marketo activities and runs the inbox and the outbox until it has been idle for a while.
"""

from __future__ import annotations

import asyncio
import json
import os
import signal
import sys
from collections.abc import Mapping, Sequence
from datetime import timedelta
from typing import Any

from sqlmodel import Session, select

from handoff.clock import utcnow
from handoff.db import make_db_engine
from sync.adapters import MarketoAdapter, SalesforceAdapter
from sync.assembly import register_handlers
from sync.config import MarketoConnection, SalesforceConnection, SyncConfig
from sync.inbox import InboxHandlers, InboxProcessor
from sync.marketo import MarketoClient
from sync.models import InboxItem, OutboxMessage
from sync.outbox import OutboxDispatcher, OutboxHandlers
from sync.pollers.marketo import ACTIVITIES_CURSOR, MarketoPollSpec, poll_marketo
from sync.ports import RecordOutcome
from sync.salesforce import SalesforceClient


class CrashingSalesforce(SalesforceAdapter):
    """Kills its own process, ``kill -9`` style, right after the n-th write came back from Salesforce."""

    def __init__(self, client: SalesforceClient, crash_after: int | None) -> None:
        super().__init__(client)
        self.crash_after = crash_after
        self.writes = 0

    def _wrote(self) -> None:
        self.writes += 1
        if self.crash_after is not None and self.writes >= self.crash_after:
            os.kill(os.getpid(), signal.SIGKILL)

    async def create(
        self, sobject: str, fields: Mapping[str, Any], *, auto_assign: str | None, priority: int
    ) -> str:
        record_id = await super().create(sobject, fields, auto_assign=auto_assign, priority=priority)
        self._wrote()
        return record_id

    async def create_many(
        self, sobject: str, records: Sequence[Mapping[str, Any]], *, priority: int
    ) -> list[RecordOutcome]:
        outcomes = await super().create_many(sobject, records, priority=priority)
        self._wrote()
        return outcomes


def pending(factory: Any) -> bool:
    """Work left for later (a retry not yet due, a lease of a killed run not yet expired)."""
    with factory() as session:
        for model in (InboxItem, OutboxMessage):
            if session.exec(select(model.id).where(model.status == "pending").limit(1)).first() is not None:
                return True
    return False


async def run(spec: dict[str, Any]) -> None:
    connect_args = {"options": f"-csearch_path={spec['schema']}"} if spec.get("schema") else {}
    engine = make_db_engine(spec["database_url"], **({"connect_args": connect_args} if connect_args else {}))
    factory = lambda: Session(engine, expire_on_commit=False)  # noqa: E731
    salesforce_client = SalesforceClient(
        SalesforceConnection(
            login_url=spec["salesforce_url"], consumer_key=spec["consumer_key"], username=spec["username"]
        ),
        private_key=spec["private_key"],
    )
    marketo_client = MarketoClient(
        MarketoConnection(base_url=spec["marketo_url"], client_id=spec["marketo_client_id"]),
        client_secret=spec["marketo_client_secret"],
    )
    config = SyncConfig()
    salesforce = CrashingSalesforce(salesforce_client, spec.get("crash_after_salesforce_writes"))
    marketo = MarketoAdapter(marketo_client)
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
    lease = timedelta(seconds=spec.get("lease_seconds", 3))
    worker = f"crash-worker-{os.getpid()}"
    inbox = InboxProcessor(factory, inbox_handlers, worker=worker, lease=lease)
    outbox = OutboxDispatcher(factory, outbox_handlers, worker=worker, lease=lease)
    activities = MarketoPollSpec(ACTIVITIES_CURSOR, type_ids=(10, 22), initial_lookback=timedelta(hours=1))
    idle = 0
    while idle < spec.get("idle_rounds", 20) or pending(factory):
        poll = await poll_marketo(factory, marketo, utcnow, activities)
        processed = await inbox.run_once(limit=25)
        dispatched = await outbox.run_once(limit=25)
        busy = poll.stored or processed.claimed or dispatched.claimed
        idle = 0 if busy else idle + 1
        if not busy:
            await asyncio.sleep(0.1)
    await salesforce_client.aclose()
    await marketo_client.aclose()


if __name__ == "__main__":
    with open(sys.argv[1], encoding="utf-8") as handle:
        asyncio.run(run(json.load(handle)))
