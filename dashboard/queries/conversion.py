"""MQL→SQL conversion by segment and by response-time bucket, and before vs after a config version."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, timedelta

from sqlalchemy import case, func, select
from sqlalchemy.engine import Connection

from dashboard.filters import Filters
from dashboard.metrics import NEVER, RESPONSE_BUCKETS
from dashboard.queries.common import (
    CLOCK_COLUMNS,
    bucket_case,
    cohort,
    counted,
    group_key,
    h,
    prepare,
    ranks,
    sla_met,
    sla_missed,
    ungroup,
    unpack,
)
from routing.models import ConfigVersion

NOT_ROUTED = "not_routed"
NO_SEGMENT = "(none)"


@dataclass
class SegmentConversion:
    segment: str
    mqls: int = 0
    converted: int = 0
    # response bucket key (or "never") -> (routed leads, converted leads)
    by_response: dict[str, tuple[int, int]] = field(default_factory=dict)


def by_segment_and_response(connection: Connection, filters: Filters, clock: str) -> list[SegmentConversion]:
    """One scan: MQLs and conversions per segment, and per response bucket among routed leads."""
    seconds = CLOCK_COLUMNS[clock]
    response = case((h.routed_at.is_(None), NOT_ROUTED), else_=bucket_case(seconds, RESPONSE_BUCKETS))
    segment_key = group_key(h.segment)
    rows = connection.execute(
        select(segment_key, response, func.count(), counted(h.converted_at.is_not(None)))
        .where(*cohort(filters))
        .group_by(segment_key, response)
    ).all()
    segments: dict[str, SegmentConversion] = {}
    for key, bucket, count, converted in rows:
        segment = ungroup(key)
        row = segments.setdefault(segment or NO_SEGMENT, SegmentConversion(segment or NO_SEGMENT))
        row.mqls += int(count)
        row.converted += int(converted)
        if bucket != NOT_ROUTED:
            before = row.by_response.get(bucket, (0, 0))
            row.by_response[bucket] = (before[0] + int(count), before[1] + int(converted))
    return sorted(segments.values(), key=lambda row: (-row.mqls, row.segment))


def response_keys() -> list[str]:
    return [*(bucket.key for bucket in RESPONSE_BUCKETS), NEVER]


@dataclass(frozen=True)
class VersionChoice:
    id: int
    label: str
    activated_at: datetime


def activated_versions(connection: Connection, limit: int = 50) -> list[VersionChoice]:
    table = ConfigVersion.__table__  # type: ignore[attr-defined]
    rows = connection.execute(
        select(table.c.id, table.c.author, table.c.comment, table.c.activated_at)
        .where(table.c.activated_at.is_not(None))
        .order_by(table.c.activated_at.desc())
        .limit(limit)
    ).all()
    return [
        VersionChoice(
            int(row.id),
            f"#{row.id} by {row.author}" + (f": {row.comment}" if row.comment else ""),
            row.activated_at,
        )
        for row in rows
    ]


@dataclass(frozen=True)
class WindowFigures:
    window: str
    start: datetime
    end: datetime
    mqls: int
    routed: int
    converted: int
    sla_met: int
    sla_missed: int
    speed: dict[int, float]


def version_windows(now: datetime, days: int, activated_at: datetime) -> dict[str, tuple[datetime, datetime]]:
    """Equal windows either side of an activation, ``days`` long, both cut short when the version is younger:
    comparing a week after with a month before would compare seasons, not configs."""
    span = min(timedelta(days=days), max(now - activated_at, timedelta(0)))
    return {"before": (activated_at - span, activated_at), "after": (activated_at, activated_at + span)}


def before_after(
    connection: Connection, filters: Filters, version: VersionChoice, now: datetime
) -> list[WindowFigures]:
    windows = version_windows(now, filters.days, version.activated_at)
    dimension_filters = cohort(filters)[2:]
    result = []
    for name, (start, end) in windows.items():
        conditions = [*dimension_filters, h.mql_at >= start, h.mql_at < end]
        *counts, found = (
            prepare(connection)
            .execute(
                select(
                    func.count(),
                    counted(h.routed_at.is_not(None)),
                    counted(h.converted_at.is_not(None)),
                    counted(sla_met()),
                    counted(sla_missed(now)),
                    ranks(h.touch_wall_seconds),
                ).where(*conditions)
            )
            .one()
        )
        result.append(WindowFigures(name, start, end, *(int(value) for value in counts), speed=unpack(found)))  # type: ignore[arg-type]
    return result
