"""Use cases around the gate: evaluate qualified people, store every decision as events, expire holds.

``RoutingService.evaluate`` opens (or re-opens) each person's handoff, gathers the Salesforce context
for the whole batch, runs the pure gate, stores a ``PersonSnapshot`` (fields + context, so the decision
can be replayed) and a decision event carrying the config version, and keeps the ``Handoff``
projection in step. Assignment in Salesforce is ``routing.assignment``. Flushes, never commits.

States (DESIGN.md): route → ``route_ready`` (then ``routed`` once assigned); hold → ``held``; reject →
``rejected``. A hold that times out keeps state ``held`` and is closed with a ``leaked`` event
(reason ``hold_expired``): the dashboard counts held-and-never-routed handoffs as leakage.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlmodel import Session

from handoff.clock import Clock
from routing import repository
from routing.config import RoutingConfig
from routing.context import SalesforceContext
from routing.decision import Decision
from routing.gate import Gate
from routing.lookup import ContextLookup, PersonKeys, person_keys
from routing.models import Handoff, HandoffEvent, PersonSnapshot
from routing.normalise import clean_text
from routing.writeback import enqueue_marketo_update

_MAX_SNAPSHOT_KEYS = 500
_MAX_STORED_TEXT = 100_000
EVENT_KIND = {"route": "route_ready", "hold": "held", "reject": "rejected"}


@dataclass(frozen=True)
class Qualified:
    """A person Marketo says is qualified, with their fields as fetched (Marketo REST names)."""

    fields: Mapping[str, Any]
    marketo_id: int | None = None
    actor: str = "marketo"


@dataclass(frozen=True)
class ActiveConfig:
    """The routing config in force, compiled, with the id of the version it came from."""

    config: RoutingConfig
    version_id: int | None
    gate: Gate

    @classmethod
    def of(cls, config: RoutingConfig, version_id: int | None = None) -> ActiveConfig:
        return cls(config, version_id, Gate(config))


@dataclass
class Evaluation:
    handoff: Handoff
    decision: Decision
    event: HandoffEvent
    snapshot: PersonSnapshot | None = None


def storable(value: Any, depth: int = 0) -> Any:
    """A JSON value both databases accept; what cannot be stored becomes a marker the gate reads as broken.

    PostgreSQL's JSONB refuses NUL characters, lone surrogates and NaN. Replacing them with
    ``{"$unstorable": …}`` keeps replays faithful: the gate reports both the original and the marker as
    unusable data, so the outcome is the same.
    """
    if value is None or isinstance(value, bool | int):
        return value
    if isinstance(value, float):
        return value if math.isfinite(value) else {"$unstorable": "not a finite number"}
    if isinstance(value, str):
        if "\x00" in value:
            return {"$unstorable": "contains control characters"}
        try:
            value.encode("utf-8")
        except UnicodeEncodeError:
            return {"$unstorable": "broken encoding"}
        return value if len(value) <= _MAX_STORED_TEXT else {"$unstorable": f"{len(value)} characters"}
    if depth >= 3:
        return {"$unstorable": "nested too deep"}
    if isinstance(value, Mapping):
        items = list(value.items())[:_MAX_SNAPSHOT_KEYS]
        return {str(key)[:100]: storable(item, depth + 1) for key, item in items}
    if isinstance(value, list | tuple):
        return [storable(item, depth + 1) for item in value[:100]]
    return {"$unstorable": type(value).__name__}


class RoutingService:
    def __init__(self, session: Session, clock: Clock, lookup: ContextLookup | None = None) -> None:
        self.session = session
        self.clock = clock
        self.lookup = lookup

    def evaluate(self, people: Sequence[Qualified], active: ActiveConfig) -> list[Evaluation]:
        """Judge a batch; a person listed twice is judged once, on the last (newest) fields."""
        now = self.clock()
        keyed = [(person, person_keys(person.fields, person.marketo_id)) for person in people]
        last = {key.marketo_id: index for index, (_, key) in enumerate(keyed) if key.marketo_id is not None}
        keyed = [
            (person, key)
            for index, (person, key) in enumerate(keyed)
            if key.marketo_id is None or last[key.marketo_id] == index
        ]
        keys = [key for _, key in keyed]
        waiting = repository.open_pre_route(
            self.session, [k.marketo_id for k in keys if k.marketo_id is not None]
        )
        current = [waiting.get(key.marketo_id) if key.marketo_id is not None else None for key in keys]
        if self.lookup is None:
            raise ValueError("evaluating people needs a ContextLookup")
        contexts = self.lookup.contexts(self.session, keys, current)
        return [
            self._evaluate_one(person, key, handoff, context, active, now)
            for (person, key), handoff, context in zip(keyed, current, contexts, strict=True)
        ]

    def _evaluate_one(
        self,
        person: Qualified,
        key: PersonKeys,
        handoff: Handoff | None,
        context: SalesforceContext,
        active: ActiveConfig,
        now: datetime,
    ) -> Evaluation:
        stored_fields = storable(person.fields) if isinstance(person.fields, Mapping) else {}
        decision = active.gate.decide(stored_fields, context, now)
        snapshot = PersonSnapshot(
            marketo_id=key.marketo_id,
            email=key.email[:320] if key.email else None,
            captured_at=now,
            fields=stored_fields,
            context=context.to_json(),
        )
        self.session.add(snapshot)
        if handoff is None:
            handoff = Handoff(marketo_id=key.marketo_id, state="mql", mql_at=now, updated_at=now)
            self._describe(handoff, key, person.fields)
            self.session.add(handoff)
            self.session.flush()
            repository.add_event(
                self.session,
                handoff,
                "mql",
                now,
                message="Qualified in Marketo.",
                config_version_id=active.version_id,
                actor=person.actor,
            )
        else:
            self._describe(handoff, key, person.fields)
            self.session.flush()
        event = self.record_decision(handoff, decision, active, now, snapshot)
        return Evaluation(handoff, decision, event, snapshot)

    def _describe(self, handoff: Handoff, key: PersonKeys, fields: Any) -> None:
        handoff.email = key.email[:320] if key.email else None
        handoff.email_key = key.email_key
        handoff.company = key.company
        source = fields.get("leadSource") if isinstance(fields, Mapping) else None
        handoff.source = clean_text(source, 128)[0]

    def record_decision(
        self,
        handoff: Handoff,
        decision: Decision,
        active: ActiveConfig,
        now: datetime,
        snapshot: PersonSnapshot | None = None,
    ) -> HandoffEvent:
        return record_decision(self.session, handoff, decision, active, now, snapshot)

    def expire_holds(self, active: ActiveConfig, limit: int = 1000) -> list[Evaluation]:
        """Re-judge holds older than the timeout on their last snapshot: those still waiting leak.

        A hold that the config in force would now route (the criteria changed since) becomes
        ``route_ready`` instead; the caller assigns it (assignment re-checks Salesforce first).
        """
        now = self.clock()
        older_than = now - active.gate.hold_timeout
        results = []
        for handoff in repository.expired_holds(self.session, older_than, limit):
            snapshot = self.session.get(PersonSnapshot, handoff.snapshot_id) if handoff.snapshot_id else None
            fields = snapshot.fields if snapshot is not None else {}
            stored = SalesforceContext.from_json(snapshot.context if snapshot is not None else {})
            context = SalesforceContext(
                stored.records,
                stored.accounts,
                stored.marketo_duplicates,
                stored.last_routed_at,
                held_since=handoff.mql_at,
                complete=stored.complete,
                problems=stored.problems,
            )
            decision = active.gate.decide(fields, context, now)
            event = self.record_decision(handoff, decision, active, now)
            results.append(Evaluation(handoff, decision, event, snapshot))
        return results


def record_decision(
    session: Session,
    handoff: Handoff,
    decision: Decision,
    active: ActiveConfig,
    now: datetime,
    snapshot: PersonSnapshot | None = None,
) -> HandoffEvent:
    """Append the decision event and move the projection; a timed-out hold is closed as leakage."""
    leaked = decision.reason_code == "hold_expired"
    kind = "leaked" if leaked else EVENT_KIND[decision.outcome]
    data: dict[str, Any] = {"decision": decision.to_json()}
    if snapshot is not None:
        session.flush()
        data["snapshot_id"] = snapshot.id
        handoff.snapshot_id = snapshot.id
    event = repository.add_event(
        session,
        handoff,
        kind,
        now,
        reason_code=decision.reason_code,
        message=decision.message,
        data=data,
        config_version_id=active.version_id,
    )
    segment = active.config.segment(decision.segment)
    handoff.segment = decision.segment
    handoff.sla_policy = segment.sla if segment else None
    handoff.reason_code = decision.reason_code
    handoff.decision = decision.outcome
    handoff.target = decision.target.label[:64] if decision.target else None
    handoff.decided_at = now
    handoff.config_version_id = active.version_id
    handoff.sfdc_account_id = decision.attributes.get("account_id")
    handoff.updated_at = now
    if leaked:
        handoff.state = "held"
        handoff.closed_at = now
    elif decision.outcome == "route":
        handoff.state = "route_ready"
        handoff.route_ready_at = handoff.route_ready_at or now
    elif decision.outcome == "hold":
        handoff.state = "held"
    else:
        handoff.state = "rejected"
        handoff.closed_at = now
    session.add(handoff)
    session.flush()
    if decision.outcome == "reject":
        enqueue_marketo_update(
            session, handoff, event, active.config.writeback, "reject", decision.message, now
        )
    return event
