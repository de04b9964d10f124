"""Everything the sync layer contributes to a running Handoff, built from plain arguments.

``handoff.wiring`` calls ``register_sync`` once with the shared inbox and outbox handler registries,
the session factory, the clock, the ``sync`` config section and the two API clients seen through
``sync.adapters`` (and, once bound, the routing gate); it gets back the periodic poller jobs as
``(name, interval_seconds, callable)``. Nothing here reads settings or the environment.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass
from datetime import timedelta
from typing import Any

from sqlmodel import Session

from handoff.clock import Clock
from sync import kinds
from sync.adapters import MarketoAdapter, SalesforceAdapter
from sync.config import MarketoConnection, SalesforceConnection, SyncConfig
from sync.flows.accounts import AccountChanged
from sync.flows.assignment import LeadRouted, RouteLead
from sync.flows.backfill import BackfillLeads, BackfillPage, read_people
from sync.flows.converted import LeadChanged
from sync.flows.engagement import TASK_BATCH, CreateTasks, EngagementActivity
from sync.flows.marketo_writes import MAX_RECORDS, CompanyUpserts, LeadUpdates, ProgramRemove, ProgramStatus
from sync.flows.mql import MqlSignalHandler
from sync.flows.opportunities import OpportunityChanged
from sync.flows.passthrough import PassThroughRouting
from sync.inbox import InboxHandlers
from sync.mapping import source_fields
from sync.marketo import MarketoClient
from sync.outbox import OutboxHandlers
from sync.pollers import salesforce as sf_polls
from sync.pollers.marketo import ACTIVITIES_CURSOR, LEADCHANGES_CURSOR, MarketoPollSpec, poll_marketo
from sync.pollers.runner import PollerRunner
from sync.pollers.salesforce import RecordPollSpec, poll_records
from sync.ports import MarketoPort, RoutingPort, SalesforcePort
from sync.salesforce import SalesforceClient

Job = tuple[str, float, Callable[[], Awaitable[Any]]]


@dataclass
class SyncClients:
    """One client per external system for the whole process (each owns its throttle and token)."""

    salesforce_client: SalesforceClient
    marketo_client: MarketoClient
    salesforce: SalesforceAdapter
    marketo: MarketoAdapter

    async def aclose(self) -> None:
        await self.salesforce_client.aclose()
        await self.marketo_client.aclose()


def build_clients(
    salesforce: SalesforceConnection,
    marketo: MarketoConnection,
    secret: Callable[[str], str | None],
    clock: Clock,
) -> SyncClients:
    """``secret`` is ``Settings.secret``: salesforce_private_key / salesforce_client_secret / marketo_client_secret."""
    salesforce_client = SalesforceClient(
        salesforce,
        private_key=secret("salesforce_private_key"),
        client_secret=secret("salesforce_client_secret"),
        clock=clock,
    )
    marketo_client = MarketoClient(marketo, client_secret=secret("marketo_client_secret") or "", clock=clock)
    return SyncClients(
        salesforce_client,
        marketo_client,
        SalesforceAdapter(salesforce_client),
        MarketoAdapter(marketo_client),
    )


def register_handlers(
    inbox: InboxHandlers,
    outbox: OutboxHandlers,
    *,
    session_factory: Callable[[], Session],
    clock: Clock,
    config: SyncConfig,
    salesforce: SalesforcePort,
    marketo: MarketoPort,
    routing: RoutingPort | None = None,
    person_fields: Sequence[str] = (),
) -> None:
    """Inbox kinds and outbox operations of the five flows (see ``sync.kinds`` for the names).

    ``person_fields``: Marketo fields the bound gate reads beyond the mapping's, fetched with the person.
    """
    mapping = config.field_map
    gate = routing or PassThroughRouting(mapping)
    mql = MqlSignalHandler(marketo, gate, mapping, config.mql, clock, person_fields)
    for kind in kinds.MQL_SIGNAL_KINDS:
        inbox.register(kind, mql)
    inbox.register(kinds.LEAD_ROUTED, LeadRouted(mapping, clock))
    inbox.register(kinds.SALESFORCE_LEAD, LeadChanged(salesforce, marketo, mapping, clock))
    inbox.register(kinds.SALESFORCE_OPPORTUNITY, OpportunityChanged(salesforce, marketo, config, clock))
    inbox.register(kinds.SALESFORCE_ACCOUNT, AccountChanged(salesforce, config, clock))
    if config.engagement.enabled:
        engagement = EngagementActivity(clock)
        for kind in kinds.ENGAGEMENT_KINDS:
            inbox.register(kind, engagement)
    outbox.register(kinds.OP_ROUTE_LEAD, RouteLead(salesforce, session_factory, clock))
    outbox.register_batch(
        kinds.OP_CREATE_TASKS,
        CreateTasks(salesforce, marketo, session_factory, mapping, config.engagement, clock),
        TASK_BATCH,
    )
    outbox.register_batch(kinds.OP_MARKETO_LEAD_UPDATE, LeadUpdates(marketo), MAX_RECORDS)
    outbox.register(kinds.OP_PROGRAM_STATUS, ProgramStatus(marketo))
    outbox.register(kinds.OP_PROGRAM_REMOVE, ProgramRemove(marketo))
    outbox.register_batch(kinds.OP_SYNC_COMPANY, CompanyUpserts(marketo), MAX_RECORDS)
    inbox.register(kinds.MARKETO_BACKFILL_PAGE, BackfillPage(mapping, clock))
    outbox.register(kinds.OP_BACKFILL_LEAD, BackfillLeads(salesforce, marketo, mapping))


def record_poll_specs(config: SyncConfig) -> list[RecordPollSpec]:
    """Tasks/Events always (unless switched off); the CRM objects only without Outbound Messages."""
    pollers = config.pollers
    common = {
        "initial_lookback": timedelta(minutes=pollers.initial_lookback_minutes),
        "overlap": timedelta(seconds=pollers.overlap_seconds),
    }
    specs: list[RecordPollSpec] = []
    if pollers.salesforce_activities:
        specs.append(RecordPollSpec("Task", sf_polls.TASK_FIELDS, **common))
        specs.append(RecordPollSpec("Event", sf_polls.EVENT_FIELDS, **common))
    if not config.outbound_messages_enabled:
        company = tuple(f for f in source_fields(config.field_map, "company") if f != "Id")
        specs.append(RecordPollSpec("Lead", sf_polls.LEAD_FIELDS, **common))
        specs.append(RecordPollSpec("Contact", sf_polls.CONTACT_FIELDS, **common))
        specs.append(RecordPollSpec("Opportunity", sf_polls.OPPORTUNITY_FIELDS, **common))
        specs.append(
            RecordPollSpec("Account", tuple(dict.fromkeys([*sf_polls.ACCOUNT_FIELDS, *company])), **common)
        )
    return specs


def poller_jobs(
    *,
    session_factory: Callable[[], Session],
    clock: Clock,
    config: SyncConfig,
    salesforce: SalesforcePort,
    marketo: MarketoPort,
) -> list[Job]:
    """The pollers as scheduler jobs, each wrapped in a back-off runner (``sync.pollers.runner``)."""
    pollers = config.pollers
    lookback = timedelta(minutes=pollers.initial_lookback_minutes)
    jobs: list[Job] = []

    def add(name: str, seconds: float, poll: Callable[[], Awaitable[Any]]) -> None:
        runner = PollerRunner(
            name, poll, clock=clock, interval_seconds=seconds, max_backoff_seconds=pollers.max_backoff_seconds
        )
        jobs.append((name, seconds, runner.run))

    activities = MarketoPollSpec(
        ACTIVITIES_CURSOR, type_ids=tuple(pollers.marketo_activity_types), initial_lookback=lookback
    )
    add(
        "sync.poll.marketo_activities",
        pollers.marketo_activities_seconds,
        lambda: poll_marketo(session_factory, marketo, clock, activities),
    )
    changes = MarketoPollSpec(
        LEADCHANGES_CURSOR, fields=tuple(config.mql.watched_fields()), initial_lookback=lookback
    )
    add(
        "sync.poll.marketo_leadchanges",
        pollers.marketo_leadchanges_seconds,
        lambda: poll_marketo(session_factory, marketo, clock, changes),
    )
    if config.backfill:
        add(
            "sync.backfill.marketo_people",
            pollers.backfill_seconds,
            lambda: read_people(session_factory, marketo, clock, config.field_map),
        )
    for spec in record_poll_specs(config):
        seconds = (
            pollers.salesforce_activities_seconds
            if spec.sobject in ("Task", "Event")
            else pollers.salesforce_records_seconds
        )
        add(
            f"sync.poll.salesforce_{spec.sobject.lower()}",
            seconds,
            lambda spec=spec: poll_records(session_factory, salesforce, clock, spec),  # type: ignore[misc]
        )
    return jobs
