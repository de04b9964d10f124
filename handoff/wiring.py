"""Wiring the domains together: handlers for inbox kinds and outbox operations, and the periodic jobs.

The only place that knows which package handles what. ``assemble(runtime)`` builds, once per process:

* the two API clients (``handoff.clients``) and the adapters of ``handoff.bridges``;
* the configuration in force (``handoff.bridges.active``: the active config version, seeded from
  handoff.yaml's ``routing`` and ``sla`` sections when none is active);
* the inbox handlers: the five sync flows with the routing gate bound (``handoff.bridges.gate``), and
  the SLA's first-touch handler on ``salesforce.task`` / ``salesforce.event``;
* the outbox handlers: the sync writes, routing's Marketo write-back (same operation) and the SLA's
  notifications, reassignment and recycle;
* the jobs, each one bounded pass on ``runtime.clock`` (the demo runs them by name on a ManualClock; the
  scheduler runs them at their intervals under an advisory lock). The SLA tick and clock sweep are
  synchronous database work and run in a worker thread.

Without both connections configured there is nothing to wire: ``scheduled_jobs`` then runs the inbox and
outbox with no handlers (items stay pending), as before the domains were bound.
"""

from __future__ import annotations

import asyncio
import os
import socket
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from typing import Any

from handoff.bridges.active import ActiveSettings
from handoff.bridges.gate import GateRouting, gate_fields, start_clocks
from handoff.bridges.owner_names import fill_owner_names
from handoff.bridges.salesforce_routing import SalesforceRoutingBridge
from handoff.bridges.sla_ports import MarketoNurture, SalesforceDirectory, SalesforceSlaActions
from handoff.bridges.touches import FirstTouches
from handoff.clients import Clients, build_clients
from handoff.runtime import Runtime, StartupError
from routing.accounts import AccountIndex
from routing.jobs import refresh_mirror, sweep_holds
from routing.lookup import ContextLookup
from routing.mirror import load_account_index
from sla.handlers import channel_handler
from sla.handlers import register_handlers as register_sla_handlers
from sla.jobs import start_missing_clocks, tick
from sla.notify.email import EmailChannel
from sla.notify.registry import build_channels
from sla.notify.salesforce_task import SalesforceTaskChannel
from sla.notify.slack import SlackChannel
from sla.policy import SlaConfigError
from sla.service import SlaContext
from sync import kinds
from sync.adapters import MarketoAdapter, SalesforceAdapter
from sync.assembly import poller_jobs
from sync.assembly import register_handlers as register_sync_handlers
from sync.hooks.config import HookSettings
from sync.inbox import InboxHandlers, InboxProcessor
from sync.outbox import OutboxDispatcher, OutboxHandlers

Job = Callable[[], Awaitable[Any]]
JobSpec = tuple[str, float, Job]

ASSEMBLY_KEY = "assembly"
CHANNEL_OPERATIONS = (SlackChannel.operation, EmailChannel.operation, SalesforceTaskChannel.operation)

# Intervals (seconds) of the jobs the domains do not schedule themselves.
INBOX_SECONDS = 1.0
OUTBOX_SECONDS = 1.0
SLA_TICK_SECONDS = 15.0
SLA_MISSING_CLOCKS_SECONDS = 60.0
SLA_DIRECTORY_SECONDS = 900.0
ROUTING_HOLDS_SECONDS = 300.0
ROUTING_MIRROR_SECONDS = 120.0
OWNER_NAMES_SECONDS = 60.0


def worker_name(role: str) -> str:
    """Unique per process, so that leases taken by two processes on one database never look alike."""
    return f"{role}-{socket.gethostname()}-{os.getpid()}"[:64]


@dataclass
class Assembly:
    """Everything a running Handoff process wired together; ``jobs`` are ``(name, seconds, coroutine fn)``."""

    clients: Clients
    inbox_handlers: InboxHandlers
    outbox_handlers: OutboxHandlers
    hook_settings: HookSettings
    active: ActiveSettings
    directory: SalesforceDirectory
    accounts: AccountIndex
    inbox: InboxProcessor
    outbox: OutboxDispatcher
    jobs: list[JobSpec] = field(default_factory=list)
    owns_clients: bool = True

    @property
    def sla_context(self) -> SlaContext:
        return self.active.sla

    def job(self, name: str) -> Job:
        """The job of this name (KeyError names the ones that exist)."""
        for job_name, _, job in self.jobs:
            if job_name == name:
                return job
        raise KeyError(f"no job {name!r}; jobs: {', '.join(n for n, _, _ in self.jobs)}")

    async def aclose(self) -> None:
        if self.owns_clients:
            await self.clients.aclose()


def hook_settings(runtime: Runtime) -> HookSettings:
    hooks = HookSettings.from_config(runtime.config.salesforce, runtime.config.sync, runtime.settings.secret)
    problems = hooks.problems()
    if problems:
        raise StartupError("; ".join(problems))
    return hooks


def has_connections(runtime: Runtime) -> bool:
    return runtime.config.salesforce is not None and runtime.config.marketo is not None


def assemble(runtime: Runtime, *, clients: Clients | None = None) -> Assembly:
    """Build the process's wiring once and keep it in ``runtime.extras["assembly"]``.

    ``clients`` lets a caller (tests, the demo) bring clients built its own way; the assembly then does
    not close them. Raises ``StartupError`` when a connection, a secret or the configuration is unusable.
    """
    owns = clients is None
    clients = clients or build_clients(runtime)
    if clients.salesforce is None or clients.marketo is None:
        raise StartupError(
            "wiring the flows needs both the salesforce and the marketo connection in handoff.yaml"
        )
    config, clock, factory = runtime.config, runtime.clock, runtime.session_factory
    salesforce_port, marketo_port = SalesforceAdapter(clients.salesforce), MarketoAdapter(clients.marketo)
    routing_salesforce = SalesforceRoutingBridge(clients.salesforce)
    directory = SalesforceDirectory(clients.salesforce)
    actions = SalesforceSlaActions(clients.salesforce)
    nurture = MarketoNurture(clients.marketo)

    def channels(sla: Any) -> dict[str, Any]:
        return build_channels(
            sla,
            slack_webhook_url=runtime.settings.secret("slack_webhook_url"),
            smtp_password=runtime.settings.secret("smtp_password"),
            salesforce=actions,
        )

    try:
        active = ActiveSettings(clock, config, directory, channels)
    except SlaConfigError as exc:
        raise StartupError(f"the sla section cannot be used: {exc}") from exc
    with factory() as session:
        active.seed(session)
        active.sla_context(session)
        accounts = load_account_index(session)
        session.commit()
    lookup = ContextLookup(accounts)
    gate = GateRouting(clock, routing_salesforce, lookup, active, config.sync.field_map)

    inbox_handlers, outbox_handlers = InboxHandlers(), OutboxHandlers()
    register_sync_handlers(
        inbox_handlers,
        outbox_handlers,
        session_factory=factory,
        clock=clock,
        config=config.sync,
        salesforce=salesforce_port,
        marketo=marketo_port,
        routing=gate,
        person_fields=gate_fields(config.routing),
    )
    touches = FirstTouches(active, directory, clock)
    inbox_handlers.register(kinds.SALESFORCE_TASK, touches)
    inbox_handlers.register(kinds.SALESFORCE_EVENT, touches)
    register_sla_handlers(
        outbox_handlers,
        channels=active.sla.channels,
        session_factory=factory,
        salesforce=actions,
        nurture=nurture,
    )
    # A later config version may add channels of another kind: their operations must already be known.
    send = channel_handler(active.sla.channels)
    for operation in CHANNEL_OPERATIONS:
        if not outbox_handlers.knows(operation):
            outbox_handlers.register(operation, send)

    inbox = InboxProcessor(factory, inbox_handlers, clock=clock, worker=worker_name("inbox"))
    outbox = OutboxDispatcher(factory, outbox_handlers, clock=clock, worker=worker_name("outbox"))
    assembly = Assembly(
        clients=clients,
        inbox_handlers=inbox_handlers,
        outbox_handlers=outbox_handlers,
        hook_settings=hook_settings(runtime),
        active=active,
        directory=directory,
        accounts=accounts,
        inbox=inbox,
        outbox=outbox,
        owns_clients=owns,
    )
    assembly.jobs = [
        ("inbox", INBOX_SECONDS, inbox.run_once),
        ("outbox", OUTBOX_SECONDS, outbox.run_once),
        *poller_jobs(
            session_factory=factory,
            clock=clock,
            config=config.sync,
            salesforce=salesforce_port,
            marketo=marketo_port,
        ),
        *domain_jobs(runtime, assembly, routing_salesforce),
    ]
    runtime.extras[ASSEMBLY_KEY] = assembly
    return assembly


def domain_jobs(runtime: Runtime, assembly: Assembly, salesforce: SalesforceRoutingBridge) -> list[JobSpec]:
    """The routing and SLA sweeps, each one bounded pass that commits its own work."""
    factory, clock, active = runtime.session_factory, runtime.clock, assembly.active

    async def refresh_directory() -> int:
        return await assembly.directory.refresh()

    def current_context() -> SlaContext:
        with factory() as session:
            return active.sla_context(session)

    async def ready_directory() -> None:
        if not assembly.directory.loaded:
            await assembly.directory.refresh()

    async def sla_tick() -> Any:
        await ready_directory()
        return await asyncio.to_thread(lambda: tick(factory, clock, current_context()))

    async def sla_missing_clocks() -> int:
        await ready_directory()
        return await asyncio.to_thread(lambda: start_missing_clocks(factory, clock, current_context()))

    async def routing_holds() -> int:
        with factory() as session:
            evaluations = await sweep_holds(session, clock, salesforce, active.routing(session))
            start_clocks(session, active, evaluations, clock())
            session.commit()
        return len(evaluations)

    async def owner_names() -> int:
        await ready_directory()
        return await asyncio.to_thread(lambda: fill_owner_names(factory, assembly.directory, clock()))

    async def routing_mirror() -> int:
        with factory() as session:
            events = await refresh_mirror(session, clock, salesforce, assembly.accounts)
            session.commit()
        return len(events)

    return [
        ("sla.refresh_directory", SLA_DIRECTORY_SECONDS, refresh_directory),
        ("sla.tick", SLA_TICK_SECONDS, sla_tick),
        ("sla.start_missing_clocks", SLA_MISSING_CLOCKS_SECONDS, sla_missing_clocks),
        ("routing.sweep_holds", ROUTING_HOLDS_SECONDS, routing_holds),
        ("routing.refresh_mirror", ROUTING_MIRROR_SECONDS, routing_mirror),
        ("handoff.owner_names", OWNER_NAMES_SECONDS, owner_names),
    ]


def assembly_of(runtime: Runtime) -> Assembly | None:
    """The assembly built for this runtime, or a new one when both connections are configured."""
    found = runtime.extras.get(ASSEMBLY_KEY)
    if found is not None:
        return found
    return assemble(runtime) if has_connections(runtime) else None


def scheduled_jobs(runtime: Runtime) -> list[JobSpec]:
    assembly = assembly_of(runtime)
    if assembly is not None:
        return list(assembly.jobs)
    inbox = InboxProcessor(
        runtime.session_factory, InboxHandlers(), clock=runtime.clock, worker=worker_name("inbox")
    )
    outbox = OutboxDispatcher(
        runtime.session_factory, OutboxHandlers(), clock=runtime.clock, worker=worker_name("outbox")
    )
    return [("inbox", INBOX_SECONDS, inbox.run_once), ("outbox", OUTBOX_SECONDS, outbox.run_once)]
