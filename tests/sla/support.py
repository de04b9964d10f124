"""Builders for SLA tests: a small SDR world, routed handoffs, a Slack receiver on loopback, one-call runs."""

from __future__ import annotations

import itertools
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import select
from sqlalchemy.engine import Engine
from sqlmodel import Session
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import PlainTextResponse
from starlette.routing import Route

from handoff.clock import ManualClock
from routing.models import Handoff, HandoffEvent
from sla.config import SlaConfig
from sla.handlers import register_handlers
from sla.jobs import TickReport, tick
from sla.models import SlaClock, SlaStepRun
from sla.notify.registry import build_channels
from sla.policy import compile_rules
from sla.ports import Person
from sla.service import SlaContext, TouchReport, record_touches, start_clock
from sla.twins import InMemoryDirectory, InMemoryNurture, InMemorySalesforce
from sync.outbox import OutboxDispatcher, OutboxHandlers
from sync.retry import RetryPolicy
from tests.support.servers import serve_app

MANAGER = Person("005000000000100AAA", "Maya Manager", "maya@acme.example", time_zone="Europe/Berlin")
FAST = Person(
    "005000000000001AAA",
    "Fiona Fast",
    "fiona@acme.example",
    MANAGER.id,
    "Europe/Berlin",
    "U0FAST",
    ("sdr_emea",),
)
SLOW = Person(
    "005000000000002AAA", "Sam Slow", "sam@acme.example", MANAGER.id, "Europe/Berlin", "U0SLOW", ("sdr_emea",)
)
STEADY = Person(
    "005000000000003AAA",
    "Stella Steady",
    "stella@acme.example",
    MANAGER.id,
    "Europe/Berlin",
    "U0STEADY",
    ("sdr_emea",),
)
INTEGRATION_USER = "005000000000999AAA"


def a_directory() -> InMemoryDirectory:
    directory = InMemoryDirectory([MANAGER])
    for person in (FAST, SLOW, STEADY):
        directory.add(person)
    return directory


def a_config(**policy_overrides: Any) -> dict[str, Any]:
    """The tier_a policy of the issue: remind at 50%, breach at due, reassign +30m, recycle +2d."""
    policy: dict[str, Any] = {
        "first_touch": "5m",
        "calendar": "emea",
        "ladder": [
            {"at": "50%", "action": "remind", "notify": [{"to": "owner", "via": ["sdr_slack"]}]},
            {
                "at": "due",
                "action": "breach",
                "notify": [{"to": "owner", "via": ["sdr_slack"]}, {"to": "manager", "via": ["manager_task"]}],
            },
            {
                "at": "+30m",
                "action": "reassign",
                "reassign_to": {"next_in_team": "sdr_emea"},
                "notify": [
                    {"to": "previous_owner", "via": ["sdr_slack"]},
                    {"to": "new_owner", "via": ["sdr_slack"]},
                ],
            },
            {"at": "+2d", "action": "recycle", "reason": "no_first_touch", "nurture_program_id": 1044},
        ],
    }
    policy.update(policy_overrides)
    return {
        "calendars": {"emea": {"time_zone": "Europe/Berlin"}},
        "touch": {"integration_user_ids": [INTEGRATION_USER]},
        "channels": {"sdr_slack": {"type": "slack"}, "manager_task": {"type": "salesforce_task"}},
        "links": {
            "salesforce_url": "https://acme.my.salesforce.com",
            "lead_page": "https://handoff.acme.example/leads/{handoff_id}",
        },
        "policies": {"tier_a": policy},
    }


@dataclass
class SlackReceiver:
    """A Slack incoming-webhook stand-in on loopback: records JSON bodies, answers like Slack does."""

    posts: list[dict[str, Any]] = field(default_factory=list)
    status: int = 200
    body: str = "ok"

    def app(self) -> Starlette:
        async def hook(request: Request) -> PlainTextResponse:
            if self.status != 200:
                return PlainTextResponse(self.body, status_code=self.status)
            self.posts.append(await request.json())
            return PlainTextResponse("ok")

        return Starlette(routes=[Route("/services/T000/B000/secret", hook, methods=["POST"])])


_ids = itertools.count(1)


@dataclass
class SlaWorld:
    """Everything a ladder test touches, wired the way ``handoff.wiring`` wires production."""

    engine: Engine
    clock: ManualClock
    ctx: SlaContext
    slack: SlackReceiver
    salesforce: InMemorySalesforce
    nurture: InMemoryNurture
    dispatcher: OutboxDispatcher

    def session(self) -> Session:
        return Session(self.engine, expire_on_commit=False)

    def route(self, owner: Person, *, policy: str = "tier_a", at: datetime | None = None) -> int:
        """A handoff routed to ``owner`` now (or ``at``), with its clock started as the routing flow would."""
        n = next(_ids)
        now = at or self.clock()
        with self.session() as session:
            handoff = Handoff(
                email=f"lead{n}@prospect.example",
                company=f"Prospect {n}",
                state="routed",
                segment="demo_request",
                sla_policy=policy,
                owner_id=owner.id,
                owner_name=owner.name,
                sfdc_lead_id=f"00Q{n:012d}AAA",
                mql_at=now,
                route_ready_at=now,
                routed_at=now,
                updated_at=now,
            )
            session.add(handoff)
            session.flush()
            start_clock(session, self.ctx, handoff, now=self.clock())
            session.commit()
            self.salesforce.owners[handoff.sfdc_lead_id] = owner.id  # type: ignore[index]
            return int(handoff.id)  # type: ignore[arg-type]

    def tick(self) -> TickReport:
        return tick(lambda: self.session(), self.clock, self.ctx)

    async def run(self, max_rounds: int = 10) -> TickReport:
        """Scheduler rounds at the current time (ladder, outbox, ladder …) until the outbox has nothing due."""
        total = TickReport()
        for _ in range(max_rounds):
            report = self.tick()
            total.due_clocks += report.due_clocks
            total.steps += report.steps
            total.notified += report.notified
            total.reassigned += report.reassigned
            total.digests += report.digests
            if (await self.dispatcher.drain()).claimed == 0:
                break
        return total

    def handoff(self, handoff_id: int) -> Handoff:
        with self.session() as session:
            handoff = session.get(Handoff, handoff_id)
            assert handoff is not None
            return handoff

    def events(self, handoff_id: int) -> list[HandoffEvent]:
        with self.session() as session:
            rows = session.execute(
                select(HandoffEvent).where(HandoffEvent.handoff_id == handoff_id).order_by(HandoffEvent.id)
            )
            return list(rows.scalars())

    def kinds(self, handoff_id: int) -> list[str]:
        return [event.kind for event in self.events(handoff_id)]

    def clocks(self, handoff_id: int) -> list[SlaClock]:
        with self.session() as session:
            rows = session.execute(
                select(SlaClock).where(SlaClock.handoff_id == handoff_id).order_by(SlaClock.sequence)
            )
            return list(rows.scalars())

    def step_runs(self, handoff_id: int) -> list[SlaStepRun]:
        with self.session() as session:
            rows = session.execute(
                select(SlaStepRun).where(SlaStepRun.handoff_id == handoff_id).order_by(SlaStepRun.id)
            )
            return list(rows.scalars())

    def touch(self, handoff_id: int, by: Person, *, minutes_ago: float = 0, **fields: Any) -> TouchReport:
        handoff = self.handoff(handoff_id)
        record = {
            "attributes": {"type": "Task"},
            "Id": f"00T{next(_ids):012d}AAA",
            "WhoId": handoff.sfdc_lead_id,
            "OwnerId": by.id,
            "CreatedById": by.id,
            "CreatedDate": self.clock() - timedelta(minutes=minutes_ago),
            "TaskSubtype": "Call",
            "Type": "Call",
            "Subject": "Intro call",
            **fields,
        }
        with self.session() as session:
            report = record_touches(session, self.ctx, [record], now=self.clock())
            session.commit()
        return report


@contextmanager
def sla_world(engine: Engine, clock: ManualClock, config: dict[str, Any] | None = None) -> Iterator[SlaWorld]:
    slack = SlackReceiver()
    salesforce = InMemorySalesforce()
    nurture = InMemoryNurture()
    sla_config = SlaConfig.model_validate(config or a_config())
    with serve_app(slack.app()) as base_url:
        channels = build_channels(
            sla_config, slack_webhook_url=f"{base_url}/services/T000/B000/secret", salesforce=salesforce
        )
        ctx = SlaContext(compile_rules(sla_config), a_directory(), channels)
        handlers = OutboxHandlers()

        def session_factory() -> Session:
            return Session(engine, expire_on_commit=False)

        register_handlers(
            handlers,
            channels=channels,
            session_factory=session_factory,
            salesforce=salesforce,
            nurture=nurture,
        )
        dispatcher = OutboxDispatcher(
            session_factory, handlers, clock=clock, policy=RetryPolicy(base_seconds=30, max_delay_seconds=300)
        )
        yield SlaWorld(engine, clock, ctx, slack, salesforce, nurture, dispatcher)
