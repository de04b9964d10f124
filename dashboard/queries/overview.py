"""Overview figures: one conditional-count scan and two percentile sorts per period, and the daily volume."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime

from sqlalchemy import func, select
from sqlalchemy.engine import Connection

from dashboard.filters import Filters
from dashboard.metrics import StageLimits
from dashboard.queries.common import (
    CLOCK_COLUMNS,
    cohort,
    counted,
    h,
    handoff,
    leaked,
    parse_hour_key,
    prepare,
    ranks,
    sla_met,
    sla_missed,
    unpack,
    utc_hour,
)
from dashboard.timebuckets import days_between, fold_days


@dataclass(frozen=True)
class PeriodFigures:
    mqls: int
    route_ready: int
    routed: int
    touched: int
    sla_met: int
    sla_missed: int
    leaked: int
    converted: int
    speed: dict[str, dict[int, float]]  # clock -> percent -> seconds


def period_figures(
    connection: Connection, filters: Filters, now: datetime, limits: StageLimits
) -> PeriodFigures:
    """Every overview number of one period in a single scan of the cohort."""
    conditions = cohort(filters)
    row = (
        prepare(connection)
        .execute(
            select(
                func.count(),
                counted(h.route_ready_at.is_not(None)),
                counted(h.routed_at.is_not(None)),
                counted(h.first_touch_at.is_not(None)),
                counted(sla_met()),
                counted(sla_missed(now)),
                counted(leaked(now, limits)),
                counted(h.converted_at.is_not(None)),
                ranks(*CLOCK_COLUMNS.values()),
            )
            .select_from(handoff)
            .where(*conditions)
        )
        .one()
    )
    *counts, found = row
    speed = {clock: unpack(found, index) for index, clock in enumerate(CLOCK_COLUMNS)}
    return PeriodFigures(*(int(value) for value in counts), speed=speed)  # type: ignore[arg-type]


@dataclass(frozen=True)
class DayVolume:
    day: date
    mqls: int
    routed: int
    touched: int
    converted: int


def daily_volume(connection: Connection, filters: Filters) -> list[DayVolume]:
    hour = utc_hour(h.mql_at)
    rows = connection.execute(
        select(
            hour,
            counted(h.id.is_not(None)),
            counted(h.routed_at.is_not(None)),
            counted(h.first_touch_at.is_not(None)),
            counted(h.converted_at.is_not(None)),
        )
        .where(*cohort(filters))
        .group_by(hour)
    ).all()
    folded = fold_days(
        ((parse_hour_key(key), [int(v) for v in values]) for key, *values in rows),
        filters.tz,
        days_between(filters.first_day, filters.last_day),
    )
    return [DayVolume(day, *(counts or [0, 0, 0, 0])) for day, counts in folded.items()]
