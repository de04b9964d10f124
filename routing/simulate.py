"""Replay: run a proposed routing config over the stored snapshots of past handoffs, writing nothing.

Each handoff decided in ``[since, now)`` is judged again by the proposed config on exactly what the
live gate saw (its ``PersonSnapshot``: fields and Salesforce context) and at the time it was decided,
so cooldowns and hold timeouts replay as they happened. "Before" is what was recorded; when the
config in force is passed as ``baseline``, it is replayed too and the share of recorded decisions
it reproduces is reported: a replay is only worth trusting if it can reproduce the past.

Loading is one query (handoff ⋈ snapshot, plain columns, no ORM objects), the gate is compiled once,
and dedupe / account candidates come from the stored contexts, so no index has to be rebuilt.
Rendering lives in ``routing.simulate_report``.
"""

from __future__ import annotations

import time
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from sqlalchemy import event, select
from sqlmodel import Session

from routing.config import RoutingConfig
from routing.context import SalesforceContext
from routing.decision import Decision
from routing.gate import Gate
from routing.models import Handoff, PersonSnapshot

UNROUTED = "(not routed)"


@dataclass(frozen=True, slots=True)
class LeadChange:
    handoff_id: int
    marketo_id: int | None
    email: str | None
    before_outcome: str
    after_outcome: str
    before_segment: str | None
    after_segment: str | None
    before_target: str | None
    after_target: str | None
    reason_code: str
    reason: str


@dataclass
class SimulationReport:
    since: datetime
    until: datetime
    handoffs: int = 0
    replayed: int = 0
    skipped: int = 0
    before: Counter[str] = field(default_factory=Counter)
    after: Counter[str] = field(default_factory=Counter)
    transitions: Counter[tuple[str, str]] = field(default_factory=Counter)
    segment_changes: Counter[tuple[str, str]] = field(default_factory=Counter)
    target_changes: Counter[tuple[str, str]] = field(default_factory=Counter)
    load_before: Counter[str] = field(default_factory=Counter)
    load_after: Counter[str] = field(default_factory=Counter)
    changed: int = 0
    changes: list[LeadChange] = field(default_factory=list)
    baseline_compared: int = 0
    baseline_reproduced: int = 0
    incomplete_contexts: int = 0
    seconds: float = 0.0

    @property
    def fidelity(self) -> float | None:
        return self.baseline_reproduced / self.baseline_compared if self.baseline_compared else None


@dataclass(frozen=True, slots=True)
class _Past:
    handoff_id: int
    marketo_id: int | None
    email: str | None
    decision: str
    segment: str | None
    target: str | None
    owner_id: str | None
    decided_at: datetime
    fields: Any
    context: Any


def _load(session: Session, since: datetime, until: datetime) -> Iterator[_Past]:
    h, s = Handoff, PersonSnapshot
    columns = (h.id, h.marketo_id, h.email, h.decision, h.segment, h.target, h.owner_id, h.decided_at)
    statement = (
        select(*columns, s.fields, s.context)
        .join(s, s.id == h.snapshot_id)
        .where(h.decided_at >= since, h.decided_at < until, h.decision.is_not(None))  # type: ignore[union-attr,operator]
        .order_by(h.id)
    )
    for row in session.execute(statement.execution_options(yield_per=5000)):
        yield _Past(*row)


def _load_key(target: str | None, owner_id: str | None) -> str:
    """Who carries the work: the actual owner when known, else the target (a rule decides in Salesforce)."""
    if owner_id:
        return f"{'queue' if owner_id.startswith('00G') else 'owner'}:{owner_id}"
    return target or UNROUTED


def _after_load_key(past: _Past, decision: Decision) -> str:
    target = decision.target
    assert target is not None
    if target.label == past.target and past.owner_id:
        return _load_key(None, past.owner_id)  # same target, same data: Salesforce would answer the same
    if target.kind in ("owner", "account_owner", "record_owner") and target.id:
        return _load_key(None, target.id)
    if target.kind == "queue" and target.id:
        return f"queue:{target.id}"
    return target.label


def simulate(
    session: Session,
    proposed: RoutingConfig,
    since: datetime,
    now: datetime,
    *,
    baseline: RoutingConfig | None = None,
    max_listed: int = 1000,
) -> SimulationReport:
    """Replay handoffs decided in ``[since, now)`` through ``proposed``; nothing is written anywhere."""
    started = time.perf_counter()
    report = SimulationReport(since=since, until=now)
    gate = Gate(proposed)
    baseline_gate = Gate(baseline) if baseline is not None else None

    def refuse_writes(*_: Any) -> None:
        raise RuntimeError("simulate must not write")

    event.listen(session, "before_flush", refuse_writes)
    try:
        for past in _load(session, since, now):
            report.handoffs += 1
            context = SalesforceContext.from_json(past.context)
            if not context.complete:
                report.incomplete_contexts += 1
            values = gate.read(past.fields)
            decision = gate.decide(past.fields, context, past.decided_at, values)
            _count(report, past, decision, max_listed)
            if baseline_gate is not None:
                # Both configs read the same fields unless their custom fields differ: read once then.
                shared = values if baseline_gate.specs == gate.specs else None
                again = baseline_gate.decide(past.fields, context, past.decided_at, shared)
                report.baseline_compared += 1
                same_target = again.target is None or again.target.label == past.target
                if again.outcome == past.decision and same_target:
                    report.baseline_reproduced += 1
    finally:
        event.remove(session, "before_flush", refuse_writes)
    report.seconds = time.perf_counter() - started
    return report


def _count(report: SimulationReport, past: _Past, decision: Decision, max_listed: int) -> None:
    report.replayed += 1
    report.before[past.decision] += 1
    report.after[decision.outcome] += 1
    report.transitions[(past.decision, decision.outcome)] += 1
    before_routed = past.decision == "route"
    after_routed = decision.outcome == "route"
    if before_routed:
        report.load_before[_load_key(past.target, past.owner_id)] += 1
    if after_routed:
        report.load_after[_after_load_key(past, decision)] += 1
    after_target = decision.target.label if decision.target else None
    if before_routed and after_routed and past.segment != decision.segment:
        report.segment_changes[(past.segment or "(none)", decision.segment or "(none)")] += 1
    if before_routed and after_routed and past.target != after_target:
        report.target_changes[(past.target or "(none)", after_target or "(none)")] += 1
    outcome_changed = past.decision != decision.outcome
    if outcome_changed or (
        after_routed and (past.target != after_target or past.segment != decision.segment)
    ):
        report.changed += 1
        if len(report.changes) < max_listed:
            report.changes.append(
                LeadChange(
                    past.handoff_id,
                    past.marketo_id,
                    past.email,
                    past.decision,
                    decision.outcome,
                    past.segment,
                    decision.segment,
                    past.target,
                    after_target,
                    decision.reason_code,
                    decision.message,
                )
            )
