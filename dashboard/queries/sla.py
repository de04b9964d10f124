"""SLA figures: compliance per policy over time, per-policy and per-rep tables, escalations by step.

Compliance follows the MQL cohort (``metrics.sla_outcome``); escalations and reassignments are counted
by when they happened (events in the period, found through the ``(kind, at)`` index), because "how many
reminders went out last week" is a question about the week, not about the leads' MQL dates.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any

from sqlalchemy import and_, false, func, or_, select
from sqlalchemy.engine import Connection
from sqlalchemy.sql.elements import ColumnElement

from dashboard.filters import Filters
from dashboard.queries.common import (
    cohort,
    counted,
    e,
    event,
    group_key,
    h,
    handoff,
    parse_hour_key,
    prepare,
    ranks,
    sla_met,
    sla_missed,
    ungroup,
    unpack,
    utc_hour,
)
from dashboard.timebuckets import days_between, fold_days

# Event kinds written by the SLA ladder (sla/) and by ownership changes (routing/); the dashboard reads
# them, it never writes them. A step's name is its reason code when present (e.g. "remind_50pct").
ESCALATION_KINDS = ("reminded", "breached", "escalated", "reassigned", "recycled")
REASSIGNMENT_KINDS = ("reassigned", "owner_changed")
NO_POLICY = "(no policy)"


@dataclass
class PolicyRow:
    policy: str
    routed: int = 0
    met: int = 0
    missed: int = 0
    pending: int = 0
    speed: dict[int, float] = field(default_factory=dict)
    days: dict[date, tuple[int, int]] = field(default_factory=dict)  # day -> (met, missed)


def policy_speed(connection: Connection, filters: Filters) -> dict[str | None, dict[int, float]]:
    """Percentiles of business-time speed per SLA policy (None: leads routed without a policy)."""
    conditions = [*cohort(filters), h.routed_at.is_not(None)]
    policy = group_key(h.sla_policy)
    rows = prepare(connection).execute(
        select(policy, ranks(h.touch_business_seconds)).where(*conditions).group_by(policy)
    )
    return {ungroup(key): unpack(value) for key, value in rows}


def by_policy(connection: Connection, filters: Filters, now: datetime) -> list[PolicyRow]:
    """Routed leads per policy and local day: met, missed, pending (speed: ``policy_speed``)."""
    conditions = [*cohort(filters), h.routed_at.is_not(None)]
    hour = utc_hour(h.mql_at)
    met, missed = sla_met(), sla_missed(now)
    pending = and_(
        h.due_at > now, h.first_touch_at.is_(None), or_(h.breached.is_(None), h.breached == false())
    )
    rows = connection.execute(
        select(hour, h.sla_policy, func.count(), counted(met), counted(missed), counted(pending))
        .where(*conditions)
        .group_by(hour, h.sla_policy)
    ).all()
    per_policy: dict[str, list[tuple[datetime, list[int]]]] = {}
    for key, policy, *counts in rows:
        per_policy.setdefault(policy or NO_POLICY, []).append((parse_hour_key(key), [int(c) for c in counts]))
    days = days_between(filters.first_day, filters.last_day)
    result = []
    for policy, hours in sorted(per_policy.items()):
        row = PolicyRow(policy)
        for day, counts in fold_days(hours, filters.tz, days).items():
            routed, met_count, missed_count, pending_count = counts or [0, 0, 0, 0]
            row.routed += routed
            row.met += met_count
            row.missed += missed_count
            row.pending += pending_count
            row.days[day] = (met_count, missed_count)
        result.append(row)
    return result


@dataclass
class RepRow:
    owner_id: str | None
    owner_name: str
    routed: int
    touched: int
    met: int
    missed: int
    speed: dict[int, float] = field(default_factory=dict)
    reassigned_away: int = 0


def by_rep(connection: Connection, filters: Filters, now: datetime, limit: int = 200) -> list[RepRow]:
    """The busiest ``limit`` reps (``reassigned_away`` comes from the events: see ``reassigned_away``)."""
    conditions = [*cohort(filters), h.routed_at.is_not(None)]
    owner = group_key(h.owner_id)
    rows = (
        prepare(connection)
        .execute(
            select(
                owner,
                func.max(h.owner_name),
                func.count(),
                counted(h.first_touch_at.is_not(None)),
                counted(sla_met()),
                counted(sla_missed(now)),
                ranks(h.touch_business_seconds),
            )
            .where(*conditions)
            .group_by(owner)
            .order_by(func.count().desc())
            .limit(limit)
        )
        .all()
    )
    return [
        RepRow(
            ungroup(owner_id),
            name or ungroup(owner_id) or "(unassigned)",
            int(routed),
            int(touched),
            int(met),
            int(missed),
            speed=unpack(found),
        )
        for owner_id, name, routed, touched, met, missed, found in rows
    ]


def _events_in_period(filters: Filters, kinds: Sequence[str]) -> tuple[Any, list[ColumnElement[bool]]]:
    """(FROM, WHERE) for events of ``kinds`` in the period, on handoffs matching the dimension filters.

    Without dimension filters the handoff table is not joined at all: the ``(kind, at)`` index alone
    answers, which matters on a million handoffs.
    """
    conditions: list[ColumnElement[bool]] = [e.kind.in_(kinds), e.at >= filters.start, e.at < filters.end]
    dimensions = cohort(filters)[2:]  # the dimension filters, without the MQL date range
    if not dimensions:
        return event, conditions
    return event.join(handoff, handoff.c.id == e.handoff_id), conditions + dimensions


@dataclass(frozen=True)
class StepCount:
    kind: str
    step: str
    events: int


def escalations(connection: Connection, filters: Filters) -> list[StepCount]:
    """Events per (kind, step) in the period; a step's name is its reason code (or its kind)."""
    step = func.coalesce(e.reason_code, e.kind)
    source, conditions = _events_in_period(filters, ESCALATION_KINDS)
    rows = connection.execute(
        select(e.kind, step, func.count()).select_from(source).where(*conditions).group_by(e.kind, step)
    ).all()
    order = {kind: index for index, kind in enumerate(ESCALATION_KINDS)}
    result = [StepCount(kind, name, int(events)) for kind, name, events in rows]
    return sorted(result, key=lambda row: (order.get(row.kind, 99), row.step))


def reassigned_away(connection: Connection, filters: Filters) -> dict[str | None, int]:
    """Leads taken away from each rep in the period, read from the previous owner kept in the event data."""
    # SLA reassignments say ``from_owner_id``; routing's owner_changed says ``from``.
    previous = func.coalesce(e.data["from_owner_id"].as_string(), e.data["from"].as_string())
    source, conditions = _events_in_period(filters, REASSIGNMENT_KINDS)
    rows = connection.execute(
        select(previous, func.count()).select_from(source).where(*conditions).group_by(previous)
    ).all()
    return {owner: int(count) for owner, count in rows}
