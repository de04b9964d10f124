"""Both sandboxes, the hooks and the sync layer wired together over loopback, on one ManualClock.

``a_world`` serves the Salesforce and Marketo sandboxes and Handoff's receivers on 127.0.0.1, builds
the real clients (through ``sync.adapters``) and registers the five flows exactly as the composition
root does (``sync.assembly``). ``settle`` then lets every part work until nothing moves: Salesforce
sends its Outbound Messages, Marketo calls its webhooks, the pollers poll, the inbox and the outbox run.
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from contextlib import AsyncExitStack, asynccontextmanager
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy.engine import Engine
from sqlmodel import Session, select

from handoff.clock import ManualClock
from sandbox.marketo import MarketoState
from sandbox.marketo import create_app as marketo_app
from sandbox.salesforce.app import create_app as salesforce_app
from sandbox.salesforce.outbound import OutboundSender
from sandbox.salesforce.outbound_queue import OutboundPolicy
from sandbox.salesforce.state import SalesforceState
from sync.adapters import MarketoAdapter, SalesforceAdapter
from sync.assembly import poller_jobs, register_handlers
from sync.config import SyncConfig
from sync.hooks.config import HookSettings
from sync.inbox import InboxHandlers, InboxProcessor
from sync.marketo import MarketoClient
from sync.models import DeadLetter, InboxItem, OutboxMessage
from sync.outbox import OutboxDispatcher, OutboxHandlers
from sync.ports import RoutingPort
from sync.salesforce import SalesforceClient
from tests.support.servers import serve_app
from tests.sync.marketo.support import FakeTime
from tests.sync.marketo.support import a_connection as marketo_connection
from tests.sync.salesforce.support import a_connection as salesforce_connection
from tests.sync.salesforce.support import private_pem, public_pem
from tests.sync.support import hooks_app

CONSUMER_KEY = "3MVG9handoffworld"
MARKETO_ID = "handoff-world"
MARKETO_SECRET = "world-marketo-secret"
WEBHOOK_SECRET = "world-webhook-secret-0123456789"
OM_PATH = "/hooks/salesforce/outbound-messages"
WEBHOOK_PATH = "/hooks/marketo/webhook"


@dataclass
class World:
    engine: Engine
    clock: ManualClock
    salesforce_state: SalesforceState
    marketo_state: MarketoState
    service_url: str
    salesforce_client: SalesforceClient
    marketo_client: MarketoClient
    config: SyncConfig
    sender: OutboundSender
    inbox: InboxProcessor
    outbox: OutboxDispatcher
    jobs: dict[str, Any] = field(default_factory=dict)

    def session(self) -> Session:
        return Session(self.engine, expire_on_commit=False)

    # -- arranging the world ------------------------------------------------------------------------

    def outbound_message(self, sobject: str, fields: list[str], criteria: Any = ()) -> str:
        return self.salesforce_state.add_outbound_message(
            sobject, self.service_url + OM_PATH, fields, criteria=criteria
        )

    def mql_webhook_campaign(self, threshold: int) -> None:
        """A trigger campaign calling Handoff when the score crosses ``threshold`` (marketo-webhooks.md)."""
        from sandbox.marketo import CallWebhook, ScoreCrosses

        hook = self.marketo_state.webhooks.create(
            "Handoff MQL",
            self.service_url + WEBHOOK_PATH,
            template='{"leadId": {{lead.Id}}, "at": {{system.dateTime}}, "campaignId": {{campaign.id}}}',
            headers={"X-Handoff-Webhook-Secret": WEBHOOK_SECRET},
        )
        self.marketo_state.campaigns.create(
            "MQL → Handoff",
            triggers=[ScoreCrosses(threshold)],
            flow=[CallWebhook(hook.id)],
            qualification="every_time",
        )

    # -- running it ---------------------------------------------------------------------------------

    async def poll(self, *names: str) -> None:
        for name in names or list(self.jobs):
            await self.jobs[name]()

    async def settle(self, *, poll: tuple[str, ...] = (), rounds: int = 20) -> None:
        """Deliver, poll, process and dispatch until a whole round changes nothing."""
        for _ in range(rounds):
            await asyncio.to_thread(self.sender.deliver_due)
            await self.marketo_state.webhooks.drain()
            for name in poll:
                await self.jobs[name]()
            inbox = await self.inbox.drain()
            outbox = await self.outbox.drain()
            if inbox.claimed == 0 and outbox.claimed == 0 and self.sender_idle():
                return
        raise AssertionError("the world did not settle")

    def sender_idle(self) -> bool:
        with self.salesforce_state.lock:
            return not self.salesforce_state.outbound_queue.due(self.clock())

    # -- reading the outcome ------------------------------------------------------------------------

    def salesforce(self, soql: str) -> list[dict[str, Any]]:
        return self.salesforce_state.query(soql)

    def dead_letters(self) -> list[DeadLetter]:
        with self.session() as session:
            return list(session.exec(select(DeadLetter)))

    def outbox_rows(self, operation: str | None = None) -> list[OutboxMessage]:
        with self.session() as session:
            query = select(OutboxMessage)
            if operation:
                query = query.where(OutboxMessage.operation == operation)
            return list(session.exec(query))

    def inbox_rows(self, kind: str | None = None) -> list[InboxItem]:
        with self.session() as session:
            query = select(InboxItem)
            if kind:
                query = query.where(InboxItem.kind == kind)
            return list(session.exec(query))


@asynccontextmanager
async def a_world(
    engine: Engine,
    clock: ManualClock,
    config: SyncConfig | None = None,
    *,
    routing: RoutingPort | None = None,
    marketo_limits: bool = True,
    outbound_policy: OutboundPolicy | None = None,
) -> AsyncIterator[World]:
    config = config or SyncConfig()
    salesforce_state = SalesforceState(clock=clock, daily_api_limit=100_000, outbound_policy=outbound_policy)
    salesforce_state.add_connected_app(CONSUMER_KEY, public_pem())
    username = salesforce_state.get(salesforce_state.integration_user_id)["Username"]
    marketo_state = MarketoState(
        clock=clock, client_id=MARKETO_ID, client_secret=MARKETO_SECRET, limits_enabled=marketo_limits
    )
    hooks = HookSettings(organization_id=salesforce_state.org_id, webhook_secret=WEBHOOK_SECRET)
    async with AsyncExitStack() as stack:
        salesforce_url = stack.enter_context(serve_app(salesforce_app(salesforce_state, clock)))
        marketo_url = stack.enter_context(
            serve_app(marketo_app(marketo_state, clock, deliver_webhooks=False))
        )
        service_url = stack.enter_context(serve_app(hooks_app(engine, clock, hooks)))
        sender = OutboundSender(salesforce_state)
        stack.callback(sender.close)
        salesforce_client = SalesforceClient(
            salesforce_connection(login_url=salesforce_url, consumer_key=CONSUMER_KEY, username=username),
            private_key=private_pem(),
            clock=clock,
        )
        marketo_client = MarketoClient(
            marketo_connection(base_url=marketo_url, client_id=MARKETO_ID),
            client_secret=MARKETO_SECRET,
            clock=clock,
            sleep=FakeTime(clock).sleep,
        )
        stack.push_async_callback(salesforce_client.aclose)
        stack.push_async_callback(marketo_client.aclose)
        factory = lambda: Session(engine, expire_on_commit=False)  # noqa: E731
        inbox_handlers, outbox_handlers = InboxHandlers(), OutboxHandlers()
        salesforce, marketo = SalesforceAdapter(salesforce_client), MarketoAdapter(marketo_client)
        register_handlers(
            inbox_handlers,
            outbox_handlers,
            session_factory=factory,
            clock=clock,
            config=config,
            salesforce=salesforce,
            marketo=marketo,
            routing=routing,
        )
        jobs = {
            name: job
            for name, _, job in poller_jobs(
                session_factory=factory, clock=clock, config=config, salesforce=salesforce, marketo=marketo
            )
        }
        yield World(
            engine,
            clock,
            salesforce_state,
            marketo_state,
            service_url,
            salesforce_client,
            marketo_client,
            config,
            sender,
            InboxProcessor(factory, inbox_handlers, clock=clock),
            OutboxDispatcher(factory, outbox_handlers, clock=clock),
            jobs,
        )
