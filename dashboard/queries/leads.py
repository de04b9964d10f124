"""The leads behind a number: the drill-down list (filters + what was clicked), paged and exportable.

Every figure on every page links here with its drill keys; the conditions below are the same SQL
definitions the figure was computed with, so the list always holds exactly the leads that were counted.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import and_, func, or_, select
from sqlalchemy.engine import Connection
from sqlalchemy.sql.elements import ColumnElement

from dashboard.filters import Drill, Filters
from dashboard.metrics import RESPONSE_BUCKETS, SPEED_BUCKETS, StageLimits
from dashboard.queries.common import (
    CLOCK_COLUMNS,
    bucket_case,
    cohort,
    e,
    h,
    handoff,
    is_true,
    leaked,
    sla_met,
    sla_missed,
    stage_case,
)
from dashboard.queries.conversion import version_windows
from dashboard.queries.leakage import NO_REASON
from dashboard.queries.sla import NO_POLICY
from dashboard.timebuckets import days_between, local_day_interval, local_hour_intervals
from routing.models import ConfigVersion

PAGE_SIZE = 50


class UnknownVersion(LookupError):
    pass


def drill_conditions(
    connection: Connection, filters: Filters, drill: Drill, now: datetime, limits: StageLimits
) -> list[ColumnElement[bool]]:
    dimensions = cohort(filters)[2:]
    conditions: list[ColumnElement[bool]]
    if drill.event is not None:
        happened = select(e.handoff_id).where(
            e.kind == drill.event, e.at >= filters.start, e.at < filters.end
        )
        conditions = [*dimensions, h.id.in_(happened)]
    elif drill.version is not None:
        activated_at = connection.execute(
            select(ConfigVersion.__table__.c.activated_at).where(  # type: ignore[attr-defined]
                ConfigVersion.__table__.c.id == drill.version  # type: ignore[attr-defined]
            )
        ).scalar()
        if activated_at is None:
            raise UnknownVersion(f"config version #{drill.version} was never activated")
        start, end = version_windows(now, filters.days, activated_at)[drill.window or "after"]
        conditions = [*dimensions, h.mql_at >= start, h.mql_at < end]
    else:
        conditions = cohort(filters)
    if drill.day is not None:
        start, end = local_day_interval(drill.day, filters.tz)
        conditions += [h.mql_at >= start, h.mql_at < end]
    if drill.hour is not None or drill.weekday is not None:
        days = days_between(filters.first_day, filters.last_day)
        intervals = local_hour_intervals(days, filters.tz, hour=drill.hour, weekday=drill.weekday)
        conditions.append(
            or_(*(and_(h.routed_at >= a, h.routed_at < b) for a, b in intervals))
            if intervals
            else h.id.is_(None)
        )
    conditions += _metric(drill.metric, now, limits)
    if drill.stage is not None:
        conditions.append(stage_case(now, limits) == drill.stage)
    if drill.speed is not None:
        seconds = CLOCK_COLUMNS[drill.clock]
        conditions += [h.routed_at.is_not(None), bucket_case(seconds, SPEED_BUCKETS) == drill.speed]
    if drill.response is not None:
        seconds = CLOCK_COLUMNS[drill.clock]
        conditions += [h.routed_at.is_not(None), bucket_case(seconds, RESPONSE_BUCKETS) == drill.response]
    if drill.policy is not None:
        conditions += [h.routed_at.is_not(None)]
        conditions.append(
            h.sla_policy.is_(None) if drill.policy == NO_POLICY else h.sla_policy == drill.policy
        )
    if drill.reason is not None:
        conditions.append(
            h.reason_code.is_(None) if drill.reason == NO_REASON else h.reason_code == drill.reason
        )
    return conditions


def _metric(metric: str | None, now: datetime, limits: StageLimits) -> list[ColumnElement[bool]]:
    if metric is None or metric == "mql":
        return []
    return [
        {
            "route_ready": h.route_ready_at.is_not(None),
            "routed": h.routed_at.is_not(None),
            "touched": h.first_touch_at.is_not(None),
            "sla_met": sla_met(),
            "sla_missed": sla_missed(now),
            "leaked": leaked(now, limits),
            "converted": h.converted_at.is_not(None),
            "breached": is_true(h.breached),
        }[metric]
    ]


LIST_COLUMNS = (
    h.id,
    h.mql_at,
    h.email,
    h.company,
    h.segment,
    h.source,
    h.team,
    h.owner_name,
    h.state,
    h.sla_policy,
    h.routed_at,
    h.first_touch_at,
    h.touch_wall_seconds,
    h.touch_business_seconds,
    h.due_at,
    h.breached,
    h.converted_at,
    h.reason_code,
)


@dataclass(frozen=True)
class LeadPage:
    rows: list[dict[str, Any]]
    total: int
    next_cursor: str | None


def _select(conditions: list[ColumnElement[bool]], now: datetime, limits: StageLimits) -> Any:
    return (
        select(*LIST_COLUMNS, stage_case(now, limits).label("stage"))
        .where(*conditions)
        .order_by(h.mql_at.desc(), h.id.desc())
    )


def _after(cursor: str | None) -> list[ColumnElement[bool]]:
    if not cursor:
        return []
    try:
        at_text, id_text = cursor.rsplit("|", 1)
        at, last_id = datetime.fromisoformat(at_text), int(id_text)
    except ValueError:
        raise ValueError(f"cursor: not a position in this list ({cursor!r})") from None
    if at.tzinfo is None:
        raise ValueError("cursor: the position has no time zone")
    return [or_(h.mql_at < at, and_(h.mql_at == at, h.id < last_id))]


def lead_page(
    connection: Connection,
    conditions: list[ColumnElement[bool]],
    now: datetime,
    limits: StageLimits,
    cursor: str | None = None,
    size: int = PAGE_SIZE,
) -> LeadPage:
    total = int(
        connection.execute(select(func.count()).select_from(handoff).where(*conditions)).scalar() or 0
    )
    query = _select([*conditions, *_after(cursor)], now, limits).limit(size + 1)
    rows = [dict(row._mapping) for row in connection.execute(query)]
    next_cursor = None
    if len(rows) > size:
        rows = rows[:size]
        last = rows[-1]
        next_cursor = f"{last['mql_at'].isoformat()}|{last['id']}"
    return LeadPage(rows, total, next_cursor)


def iter_leads(
    connection: Connection,
    conditions: list[ColumnElement[bool]],
    now: datetime,
    limits: StageLimits,
    batch: int = 5000,
) -> Iterator[dict[str, Any]]:
    """Every lead of the list, in keyset-paged batches (an export never holds the whole list in memory)."""
    cursor: str | None = None
    while True:
        query = _select([*conditions, *_after(cursor)], now, limits).limit(batch)
        rows = [dict(row._mapping) for row in connection.execute(query)]
        yield from rows
        if len(rows) < batch:
            return
        cursor = f"{rows[-1]['mql_at'].isoformat()}|{rows[-1]['id']}"
