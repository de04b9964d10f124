"""The routing port until the routing gate is bound: every MQL goes to the active assignment rule.

It still keeps the handoff record honest: a handoff is opened (``mql`` then ``route_ready``, reason
``pass_through``), and the assignment is queued in the outbox under the handoff's key, so a second
signal for the same person never opens a second handoff nor writes a second Lead.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

from sqlmodel import Session

from routing.models import Handoff
from sync import kinds
from sync.flows.handoffs import POST_ROUTE_STATES, PRE_ROUTE_STATES, add_event, latest_open
from sync.mapping import FieldMapping, lead_fields, normalise_email
from sync.outbox import PRIORITY_ROUTING, enqueue
from sync.ports import MqlCandidate, RouteResult


class PassThroughRouting:
    def __init__(self, mapping: FieldMapping, *, assignment_rule: str = "TRUE") -> None:
        self.mapping = mapping
        self.assignment_rule = assignment_rule

    async def route(
        self, session: Session, candidates: Sequence[MqlCandidate], *, now: datetime
    ) -> list[RouteResult]:
        return [self._route_one(session, candidate, now) for candidate in candidates]

    def _route_one(self, session: Session, candidate: MqlCandidate, now: datetime) -> RouteResult:
        person = candidate.person
        routed = latest_open(session, candidate.marketo_id, POST_ROUTE_STATES)
        if routed is not None:
            return RouteResult(
                candidate.marketo_id, routed.id, "already", f"already routed (handoff {routed.id})"
            )
        handoff = latest_open(session, candidate.marketo_id, PRE_ROUTE_STATES)
        if handoff is None:
            handoff = Handoff(
                marketo_id=candidate.marketo_id,
                email=normalise_email(person.get("email")),
                company=(str(person.get("company"))[:255] if person.get("company") else None),
                state="route_ready",
                source=candidate.signal[:128],
                mql_at=candidate.signalled_at,
                route_ready_at=now,
                updated_at=now,
            )
            session.add(handoff)
            session.flush()
            add_event(
                session,
                handoff,
                "mql",
                candidate.signalled_at,
                reason_code="mql_signal",
                message=f"Marketo reported a qualified person ({candidate.signal}).",
                data={"signal": candidate.signal},
                actor="marketo",
            )
            add_event(
                session,
                handoff,
                "route_ready",
                now,
                reason_code="pass_through",
                message="No routing gate is bound: routed by the Salesforce assignment rule.",
                data={"assignment_rule": self.assignment_rule},
            )
        assert handoff.id is not None
        enqueue(
            session,
            target="salesforce",
            operation=kinds.OP_ROUTE_LEAD,
            idempotency_key=f"route:{handoff.id}",
            payload={
                "handoff_id": handoff.id,
                "marketo_id": candidate.marketo_id,
                "email": normalise_email(person.get("email")),
                "known_lead_id": person.get(self.mapping.lead_id_field)
                if self.mapping.lead_id_field
                else None,
                "known_contact_id": (
                    person.get(self.mapping.contact_id_field) if self.mapping.contact_id_field else None
                ),
                "lead_fields": lead_fields(self.mapping, person),
                "assignment_rule": self.assignment_rule,
                "marketo_fields": {},
            },
            now=now,
            priority=PRIORITY_ROUTING,
            handoff_id=handoff.id,
        )
        return RouteResult(candidate.marketo_id, handoff.id, "route", "queued for the assignment rule")
