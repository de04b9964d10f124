"""Speed-to-lead: histograms of first-touch time per dimension value, percentiles, and hour/weekday cells.

The population is routed handoffs of the cohort: a lead nobody was asked to touch has no speed.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import and_, func, select
from sqlalchemy.engine import Connection

from dashboard.filters import Filters
from dashboard.metrics import SPEED_BUCKETS
from dashboard.queries.common import (
    CLOCK_COLUMNS,
    DIMENSION_COLUMNS,
    cohort,
    counted,
    group_key,
    h,
    parse_hour_key,
    prepare,
    ranks,
    ungroup,
    unpack,
    utc_hour,
)
from dashboard.timebuckets import fold_week_hours

NO_VALUE_LABEL = "(none)"


@dataclass
class GroupSpeed:
    """One segment / source / team / owner: its histogram, its never-touched count and its percentiles."""

    key: str | None
    label: str
    buckets: dict[str, int] = field(default_factory=dict)
    never: int = 0
    speed: dict[int, float] = field(default_factory=dict)

    @property
    def touched(self) -> int:
        return sum(self.buckets.values())

    @property
    def routed(self) -> int:
        return self.touched + self.never


def speed_by(connection: Connection, filters: Filters, dimension: str, clock: str) -> list[GroupSpeed]:
    """Per value of ``dimension``, largest first: bucket counts, never-touched and percentiles, one scan."""
    column = DIMENSION_COLUMNS[dimension]
    seconds = CLOCK_COLUMNS[clock]
    label: Any = func.max(h.owner_name) if dimension == "owner" else func.max(column)
    bucket_counts = [
        counted(and_(seconds >= bucket.low, seconds < bucket.high) if bucket.high else seconds >= bucket.low)
        for bucket in SPEED_BUCKETS
    ]
    key_column = group_key(column)
    rows = (
        prepare(connection)
        .execute(
            select(key_column, label, counted(seconds.is_(None)), ranks(seconds), *bucket_counts)
            .where(*cohort(filters), h.routed_at.is_not(None))
            .group_by(key_column)
        )
        .all()
    )
    groups = [
        GroupSpeed(
            ungroup(key),
            name or ungroup(key) or NO_VALUE_LABEL,
            {bucket.key: int(count) for bucket, count in zip(SPEED_BUCKETS, counts, strict=True) if count},
            int(never),
            unpack(found),
        )
        for key, name, never, found, *counts in rows
    ]
    return sorted(groups, key=lambda group: (-group.routed, group.label))


def overall(groups: list[GroupSpeed]) -> GroupSpeed:
    """All groups summed (percentiles are not additive: the caller asks the database for those)."""
    total = GroupSpeed(None, "All")
    for group in groups:
        total.never += group.never
        for key, count in group.buckets.items():
            total.buckets[key] = total.buckets.get(key, 0) + count
    return total


def overall_percentiles(connection: Connection, filters: Filters, clock: str) -> dict[int, float]:
    seconds = CLOCK_COLUMNS[clock]
    found = (
        prepare(connection)
        .execute(select(ranks(seconds)).where(*cohort(filters), h.routed_at.is_not(None)))
        .scalar()
    )
    return unpack(found)


@dataclass(frozen=True)
class WeekCell:
    weekday: int
    hour: int
    routed: int
    within_5_min: int
    within_1_h: int


def week_hours(connection: Connection, filters: Filters, clock: str) -> list[WeekCell]:
    """Routed leads by the local weekday and hour they were routed, with how many were touched fast."""
    seconds = CLOCK_COLUMNS[clock]
    hour = utc_hour(h.routed_at)
    rows = connection.execute(
        select(hour, func.count(), counted(seconds < 300), counted(seconds < 3600))
        .where(*cohort(filters), h.routed_at.is_not(None))
        .group_by(hour)
    ).all()
    cells = fold_week_hours(
        ((parse_hour_key(key), [int(v) for v in rest]) for key, *rest in rows), filters.tz
    )
    return [
        WeekCell(weekday, hour_of_day, *counts) for (weekday, hour_of_day), counts in sorted(cells.items())
    ]
