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

from sqlalchemy import insert, text
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
    only_if_waiting: bool = False  # a data change, not an MQL: re-judge a held handoff, never open one


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
    event_id: int
    snapshot_id: int | None = None


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
        """Judge a batch; a person listed twice is judged once, on the last (newest) fields.

        ``only_if_waiting`` people (Marketo data changes rather than MQLs) are judged only when they have
        a handoff waiting to be routed, which is how a hold is re-evaluated when the person changes.
        """
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
        kept = [
            index
            for index, (person, _) in enumerate(keyed)
            if current[index] is not None or not person.only_if_waiting
        ]
        keyed = [keyed[index] for index in kept]
        keys = [keys[index] for index in kept]
        current = [current[index] for index in kept]
        if self.lookup is None:
            raise ValueError("evaluating people needs a ContextLookup")
        contexts = self.lookup.contexts(self.session, keys, current)
        # Snapshots and events go in as one multi-row INSERT each (no ORM objects: at thousands a
        # second, constructing them costs more than writing them); handoffs stay ORM, inserted projected.
        decisions = []
        snapshot_rows = []
        for (person, key), context in zip(keyed, contexts, strict=True):
            stored_fields = storable(person.fields) if isinstance(person.fields, Mapping) else {}
            decisions.append(active.gate.decide(stored_fields, context, now))
            snapshot_rows.append(
                {
                    "marketo_id": key.marketo_id,
                    "email": key.email[:320] if key.email else None,
                    "captured_at": now,
                    "fields": stored_fields,
                    "context": context.to_json(),
                }
            )
        snapshot_ids = _insert_returning_ids(self.session, PersonSnapshot, snapshot_rows)
        fresh: list[bool] = []
        handoffs: list[Handoff] = []
        for (person, key), handoff, decision, snapshot_id in zip(
            keyed, current, decisions, snapshot_ids, strict=True
        ):
            fresh.append(handoff is None)
            if handoff is None:
                handoff = Handoff(marketo_id=key.marketo_id, state="mql", mql_at=now, updated_at=now)
            self._describe(handoff, key, person.fields)
            project(handoff, decision, active, now, snapshot_id)
            handoffs.append(handoff)
        new = [handoff for handoff, is_new in zip(handoffs, fresh, strict=True) if is_new]
        reserved = _reserve_ids(self.session, Handoff, len(new))
        if reserved is not None:  # PostgreSQL: known ids let the ORM insert without RETURNING
            for handoff, handoff_id in zip(new, reserved, strict=True):
                handoff.id = handoff_id
        self.session.add_all(handoffs)
        self.session.flush()
        event_rows = []
        for (person, _), handoff, decision, snapshot_id, is_new in zip(
            keyed, handoffs, decisions, snapshot_ids, fresh, strict=True
        ):
            if is_new:
                event_rows.append(
                    _event_row(handoff, "mql", now, None, "Qualified in Marketo.", {}, active, person.actor)
                )
            event_rows.append(_decision_row(handoff, decision, active, now, snapshot_id))
        event_ids = iter(_insert_returning_ids(self.session, HandoffEvent, event_rows))
        results = []
        for handoff, decision, snapshot_id, is_new in zip(
            handoffs, decisions, snapshot_ids, fresh, strict=True
        ):
            if is_new:
                next(event_ids)
            results.append(Evaluation(handoff, decision, next(event_ids), snapshot_id))
        for evaluation in results:
            if evaluation.decision.outcome == "reject":
                _write_back_rejection(self.session, evaluation, active, now)
        return results

    def _describe(self, handoff: Handoff, key: PersonKeys, fields: Any) -> None:
        handoff.email = key.email[:320] if key.email else None
        handoff.email_key = key.email_key
        handoff.company = key.company
        source = fields.get("leadSource") if isinstance(fields, Mapping) else None
        handoff.source = clean_text(source, 128)[0]

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
            results.append(record_decision(self.session, handoff, decision, active, now))
        return results


def record_decision(
    session: Session,
    handoff: Handoff,
    decision: Decision,
    active: ActiveConfig,
    now: datetime,
    snapshot_id: int | None = None,
) -> Evaluation:
    """Move the projection, append the decision event and queue the write-back of a rejection."""
    project(handoff, decision, active, now, snapshot_id)
    session.add(handoff)
    session.flush()
    [event_id] = _insert_returning_ids(
        session, HandoffEvent, [_decision_row(handoff, decision, active, now, snapshot_id)]
    )
    evaluation = Evaluation(handoff, decision, event_id, snapshot_id)
    if decision.outcome == "reject":
        _write_back_rejection(session, evaluation, active, now)
    return evaluation


def _write_back_rejection(
    session: Session, evaluation: Evaluation, active: ActiveConfig, now: datetime
) -> None:
    enqueue_marketo_update(
        session,
        evaluation.handoff,
        evaluation.event_id,
        active.config.writeback,
        "reject",
        evaluation.decision.message,
        now,
    )


def _insert_returning_ids(session: Session, model: Any, rows: list[dict[str, Any]]) -> list[int]:
    """Insert many rows and return their ids, in order.

    PostgreSQL: reserve the ids from the table's sequence in one query, then a plain executemany
    (a multi-row ``INSERT … RETURNING`` is one huge statement that psycopg re-parses every time).
    SQLite: one multi-row ``INSERT … RETURNING`` (SQLAlchemy's "insertmanyvalues"), cheap there.
    """
    if not rows:
        return []
    table = model.__table__
    ids = _reserve_ids(session, model, len(rows))
    if ids is not None:
        session.execute(insert(table), [{**row, "id": row_id} for row, row_id in zip(rows, ids, strict=True)])
        return ids
    statement = insert(table).returning(table.c.id, sort_by_parameter_order=True)
    return list(session.execute(statement, rows).scalars())


def _reserve_ids(session: Session, model: Any, count: int) -> list[int] | None:
    """``count`` ids from the table's sequence on PostgreSQL (one query); None elsewhere."""
    if session.get_bind().dialect.name != "postgresql":
        return None
    if count == 0:
        return []
    return list(
        session.execute(
            text("SELECT nextval(pg_get_serial_sequence(:table, 'id')) FROM generate_series(1, :count)"),
            {"table": model.__tablename__, "count": count},
        ).scalars()
    )


def _event_row(
    handoff: Handoff,
    kind: str,
    now: datetime,
    reason_code: str | None,
    message: str,
    data: dict[str, Any],
    active: ActiveConfig,
    actor: str = "handoff",
) -> dict[str, Any]:
    assert handoff.id is not None, "flush the handoff before adding events"
    return {
        "handoff_id": handoff.id,
        "at": now,
        "kind": kind,
        "reason_code": reason_code,
        "message": message,
        "data": data,
        "config_version_id": active.version_id,
        "actor": actor,
    }


def _decision_row(
    handoff: Handoff, decision: Decision, active: ActiveConfig, now: datetime, snapshot_id: int | None
) -> dict[str, Any]:
    data: dict[str, Any] = {"decision": decision.to_json()}
    if snapshot_id is not None:
        data["snapshot_id"] = snapshot_id
    kind = "leaked" if decision.reason_code == "hold_expired" else EVENT_KIND[decision.outcome]
    return _event_row(handoff, kind, now, decision.reason_code, decision.message, data, active)


def project(
    handoff: Handoff, decision: Decision, active: ActiveConfig, now: datetime, snapshot_id: int | None
) -> None:
    """Move the ``Handoff`` projection to this decision (a timed-out hold is closed as leakage)."""
    if snapshot_id is not None:
        handoff.snapshot_id = snapshot_id
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
    if decision.reason_code == "hold_expired":
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
