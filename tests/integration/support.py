"""One Handoff deployment against both sandboxes over loopback, on one ManualClock.

``a_deployment`` serves the Salesforce and Marketo sandboxes, builds a ``Runtime`` whose handoff.yaml
points at them, wires it with ``handoff.wiring.assemble`` (the composition root under test) and serves
the real app (``handoff.app.create_app``) whose hooks receive the Marketo webhook and the Outbound
Messages. ``settle`` lets everything move until nothing does; ``run`` runs named jobs as the scheduler
(or the demo) would. The small org: SDRs Ann and Bo in the queue ``sdr_emea``, their manager Mia, and
a Lead assignment rule that gives German leads to Ann.
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from contextlib import AsyncExitStack, asynccontextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from sqlalchemy.engine import Engine
from sqlmodel import Session, select

from handoff.app import create_app
from handoff.clients import Clients
from handoff.clock import ManualClock
from handoff.config import HandoffConfig
from handoff.runtime import Runtime
from handoff.settings import Settings
from handoff.wiring import Assembly, assemble
from routing.config import RoutingConfig
from routing.models import Handoff, HandoffEvent
from sandbox.marketo import CallWebhook, MarketoState, ScoreCrosses
from sandbox.marketo import create_app as marketo_app
from sandbox.salesforce.app import create_app as salesforce_app
from sandbox.salesforce.outbound import OutboundSender
from sandbox.salesforce.state import SalesforceState
from sla.config import SlaConfig
from sla.models import SlaClock
from sync.config import SyncConfig
from sync.marketo import MarketoClient
from sync.models import DeadLetter, OutboxMessage
from sync.salesforce import SalesforceClient
from tests.support.servers import serve_app
from tests.sync.marketo.support import FakeTime
from tests.sync.marketo.support import a_connection as marketo_connection
from tests.sync.salesforce.support import a_connection as salesforce_connection
from tests.sync.salesforce.support import private_pem, public_pem

CONSUMER_KEY = "3MVG9handoffintegration"
MARKETO_ID = "handoff-integration"
MARKETO_SECRET = "integration-marketo-secret"
WEBHOOK_SECRET = "integration-webhook-secret-0123456789"
WEBHOOK_HEADER = "X-Handoff-Webhook-Secret"
OM_PATH = "/hooks/salesforce/outbound-messages"
WEBHOOK_PATH = "/hooks/marketo/webhook"
MQL_THRESHOLD = 75

ROUTING = {"segments": [{"name": "emea", "label": "EMEA", "sla": "standard"}]}
SLA = {
    "channels": {"sf_task": {"type": "salesforce_task"}},
    "policies": {
        "standard": {
            "first_touch": "30m",
            "ladder": [
                {"at": "50%", "action": "remind", "notify": [{"to": "owner", "via": ["sf_task"]}]},
                {"at": "due", "action": "breach", "notify": [{"to": "manager", "via": ["sf_task"]}]},
                {
                    "at": "+15m",
                    "action": "reassign",
                    "reassign_to": {"next_in_team": "sdr_emea"},
                    "notify": [{"to": "new_owner", "via": ["sf_task"]}],
                },
            ],
        }
    },
}


@dataclass
class Org:
    ann: str
    bo: str
    mia: str
    queue: str
    rule: str


@dataclass
class Deployment:
    engine: Engine
    clock: ManualClock
    salesforce: SalesforceState
    marketo: MarketoState
    sender: OutboundSender
    runtime: Runtime
    assembly: Assembly
    service_url: str
    org: Org

    def session(self) -> Session:
        return Session(self.engine, expire_on_commit=False)

    # -- arranging ----------------------------------------------------------------------------------

    def outbound_message(self, sobject: str, fields: list[str], criteria: Any = ()) -> str:
        return self.salesforce.add_outbound_message(
            sobject, self.service_url + OM_PATH, fields, criteria=criteria
        )

    def a_person(self, email: str = "ann.lee@acme.example", **fields: Any) -> int:
        values = {"email": email, "firstName": "Ann", "lastName": "Lee", "company": "Acme", "country": "DE"}
        return self.marketo.people.create({**values, "leadScore": 40, **fields})

    def qualify(self, person: int) -> None:
        """The person's score crosses the MQL line: the trigger campaign calls Handoff's webhook."""
        self.marketo.people.change_score(person, MQL_THRESHOLD)

    def sdr_task(self, lead_id: str, user_id: str, subtype: str = "Call") -> str:
        """An SDR logs a call on the Lead in Salesforce (created by that user, at the clock's time)."""
        fields = {"WhoId": lead_id, "OwnerId": user_id, "Subject": "Call", "Status": "Completed"}
        return self.salesforce.add_task({**fields, "TaskSubtype": subtype, "Type": subtype}, as_user=user_id)

    # -- running ------------------------------------------------------------------------------------

    async def run(self, *names: str) -> None:
        for name in names:
            await self.assembly.job(name)()

    async def settle(self, *, jobs: tuple[str, ...] = (), rounds: int = 25) -> None:
        """Deliver Outbound Messages and webhooks, run ``jobs``, drain inbox and outbox, until still."""
        for _ in range(rounds):
            await asyncio.to_thread(self.sender.deliver_due)
            await self.marketo.webhooks.drain()
            await self.run(*jobs)
            inbox = await self.assembly.inbox.drain()
            outbox = await self.assembly.outbox.drain()
            if inbox.claimed == 0 and outbox.claimed == 0 and self._sender_idle():
                return
        raise AssertionError("the deployment did not settle")

    def _sender_idle(self) -> bool:
        with self.salesforce.lock:
            return not self.salesforce.outbound_queue.due(self.clock())

    # -- reading ------------------------------------------------------------------------------------

    def query(self, soql: str) -> list[dict[str, Any]]:
        return self.salesforce.query(soql)

    def handoff(self) -> Handoff:
        with self.session() as session:
            return session.exec(select(Handoff)).one()

    def events(self, handoff_id: int) -> list[HandoffEvent]:
        with self.session() as session:
            return list(
                session.exec(
                    select(HandoffEvent)
                    .where(HandoffEvent.handoff_id == handoff_id)
                    .order_by(HandoffEvent.id)
                )
            )

    def clocks(self, handoff_id: int) -> list[SlaClock]:
        with self.session() as session:
            return list(
                session.exec(
                    select(SlaClock).where(SlaClock.handoff_id == handoff_id).order_by(SlaClock.sequence)
                )
            )

    def outbox(self, operation: str) -> list[OutboxMessage]:
        with self.session() as session:
            return list(session.exec(select(OutboxMessage).where(OutboxMessage.operation == operation)))

    def dead_letters(self) -> list[DeadLetter]:
        with self.session() as session:
            return list(session.exec(select(DeadLetter)))


def an_org(salesforce: SalesforceState) -> Org:
    mia = salesforce.add_user("Mia", first_name="Manager", time_zone="Europe/Berlin")
    ann = salesforce.add_user("Ann", first_name="Sdr", manager_id=mia, time_zone="Europe/Berlin")
    bo = salesforce.add_user("Bo", first_name="Sdr", manager_id=mia, time_zone="Europe/Berlin")
    queue = salesforce.add_queue("SDR EMEA", developer_name="sdr_emea", members=[ann, bo])
    rule = salesforce.set_lead_assignment_rule([({"Country": "DE"}, ann)], default_owner=queue)
    return Org(ann, bo, mia, queue, rule)


def mql_campaign(marketo: MarketoState, service_url: str) -> None:
    """A trigger campaign with a Call Webhook step when the score crosses the line (marketo-webhooks.md)."""
    hook = marketo.webhooks.create(
        "Handoff MQL",
        service_url + WEBHOOK_PATH,
        template='{"leadId": {{lead.Id}}, "at": {{system.dateTime}}, "campaignId": {{campaign.id}}}',
        headers={WEBHOOK_HEADER: WEBHOOK_SECRET},
    )
    marketo.campaigns.create(
        "MQL → Handoff",
        triggers=[ScoreCrosses(MQL_THRESHOLD)],
        flow=[CallWebhook(hook.id)],
        qualification="every_time",
    )


@asynccontextmanager
async def a_deployment(
    engine: Engine,
    clock: ManualClock,
    tmp_path: Path,
    *,
    routing: dict[str, Any] | None = None,
    sla: dict[str, Any] | None = None,
    sync: SyncConfig | None = None,
) -> AsyncIterator[Deployment]:
    salesforce = SalesforceState(clock=clock, daily_api_limit=100_000)
    salesforce.add_connected_app(CONSUMER_KEY, public_pem())
    username = salesforce.get(salesforce.integration_user_id)["Username"]
    org = an_org(salesforce)
    marketo = MarketoState(clock=clock, client_id=MARKETO_ID, client_secret=MARKETO_SECRET)
    async with AsyncExitStack() as stack:
        salesforce_url = stack.enter_context(serve_app(salesforce_app(salesforce, clock)))
        marketo_url = stack.enter_context(serve_app(marketo_app(marketo, clock, deliver_webhooks=False)))
        config = HandoffConfig(
            salesforce=salesforce_connection(
                login_url=salesforce_url,
                consumer_key=CONSUMER_KEY,
                username=username,
                organization_id=salesforce.org_id,
            ),
            marketo=marketo_connection(base_url=marketo_url, client_id=MARKETO_ID),
            sync=sync or SyncConfig(),
            routing=RoutingConfig.model_validate(routing if routing is not None else ROUTING),
            sla=SlaConfig.model_validate(sla if sla is not None else SLA),
        )
        settings = Settings(
            data_dir=tmp_path / "data",
            secret_key="integration-secret-key-0123456789",
            run_scheduler=False,
            marketo_webhook_secret=WEBHOOK_SECRET,
        )
        runtime = Runtime(settings=settings, config=config, engine=engine, clock=clock)
        # The clients are built as build_clients builds them, with the Marketo throttle's sleep moving the
        # ManualClock instead of waiting (tests never sleep for time to pass).
        assert config.salesforce is not None and config.marketo is not None
        clients = Clients(
            salesforce=SalesforceClient(config.salesforce, private_key=private_pem(), clock=clock),
            marketo=MarketoClient(
                config.marketo, client_secret=MARKETO_SECRET, clock=clock, sleep=FakeTime(clock).sleep
            ),
        )
        stack.push_async_callback(clients.aclose)
        assembly = assemble(runtime, clients=clients)
        service_url = stack.enter_context(serve_app(create_app(runtime, start_scheduler=False)))
        sender = OutboundSender(salesforce)
        stack.callback(sender.close)
        mql_campaign(marketo, service_url)
        yield Deployment(engine, clock, salesforce, marketo, sender, runtime, assembly, service_url, org)
