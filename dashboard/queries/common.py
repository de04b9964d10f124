"""SQL building blocks shared by every page's queries: the cohort filter, the metric definitions of
``dashboard.metrics`` written as SQL ``CASE`` expressions, nearest-rank percentiles and hour keys.

SQLAlchemy Core only, portable between SQLite and PostgreSQL. Two things differ between them and are
compiled per dialect below: turning an instant into an hour key, and the percentile aggregate
(``percentile_disc`` on PostgreSQL, a registered aggregate on SQLite), both meaning exactly what
``dashboard.metrics`` defines.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import Select, String, and_, case, false, func, or_, true
from sqlalchemy.engine import Connection, Dialect
from sqlalchemy.ext.compiler import compiles
from sqlalchemy.sql.elements import ColumnElement
from sqlalchemy.sql.functions import FunctionElement
from sqlalchemy.types import TypeDecorator

from dashboard.filters import NONE_VALUE, Filters
from dashboard.metrics import NEVER, PERCENTILES, Bucket, StageLimits, percentile
from routing.models import Handoff, HandoffEvent

handoff = Handoff.__table__  # type: ignore[attr-defined]
event = HandoffEvent.__table__  # type: ignore[attr-defined]
h = handoff.c
e = event.c

DIMENSION_COLUMNS = {"segment": h.segment, "team": h.team, "source": h.source, "owner": h.owner_id}
CLOCK_COLUMNS = {"wall": h.touch_wall_seconds, "business": h.touch_business_seconds}


def cohort(filters: Filters) -> list[ColumnElement[bool]]:
    """Handoffs that became MQL in the period and match the dimension filters."""
    conditions: list[ColumnElement[bool]] = [h.mql_at >= filters.start, h.mql_at < filters.end]
    for name, value in filters.dimension_values().items():
        column = DIMENSION_COLUMNS[name]
        conditions.append(column.is_(None) if value == NONE_VALUE else column == value)
    return conditions


def counted(condition: ColumnElement[bool]) -> ColumnElement[int]:
    """``count(CASE WHEN condition THEN 1 END)``: a conditional count that both databases index-scan once."""
    return func.count(case((condition, 1)))


def is_true(column: ColumnElement[Any]) -> ColumnElement[bool]:
    return column == true()


def stage_case(now: datetime, limits: StageLimits) -> ColumnElement[str]:
    """``metrics.stage_of`` in SQL, branch for branch."""
    untouched_due = and_(h.due_at.is_not(None), h.due_at <= now)
    untouched_no_due = and_(h.due_at.is_(None), h.routed_at <= now - limits.untouched_without_due)
    return case(
        (h.converted_at.is_not(None), "converted"),
        (h.state == "recycled", "recycled"),
        (h.state == "rejected", "rejected"),
        (
            and_(h.routed_at.is_(None), or_(h.closed_at.is_not(None), h.mql_at < now - limits.hold)),
            "held_too_long",
        ),
        (h.routed_at.is_(None), "waiting"),
        (and_(h.first_touch_at.is_(None), or_(untouched_due, untouched_no_due)), "untouched"),
        (h.first_touch_at.is_(None), "awaiting_touch"),
        (or_(is_true(h.breached), and_(h.due_at.is_not(None), h.first_touch_at > h.due_at)), "late"),
        else_="touched",
    )


def sla_missed(now: datetime) -> ColumnElement[bool]:
    """``metrics.sla_outcome == "missed"`` in SQL."""
    return and_(
        h.due_at.is_not(None),
        or_(
            is_true(h.breached),
            and_(h.first_touch_at.is_not(None), h.first_touch_at > h.due_at),
            and_(h.first_touch_at.is_(None), h.due_at <= now),
        ),
    )


def sla_met() -> ColumnElement[bool]:
    """``metrics.sla_outcome == "met"`` in SQL."""
    return and_(
        h.due_at.is_not(None),
        h.first_touch_at.is_not(None),
        h.first_touch_at <= h.due_at,
        or_(h.breached.is_(None), h.breached == false()),
    )


def bucket_case(column: ColumnElement[Any], buckets: Sequence[Bucket]) -> ColumnElement[str]:
    """``metrics.bucket_for`` in SQL: the key of the bucket a number of seconds falls in, or ``never``."""
    whens: list[tuple[ColumnElement[bool], str]] = [(column.is_(None), NEVER)]
    whens += [(column < bucket.high, bucket.key) for bucket in buckets if bucket.high is not None]
    return case(*whens, else_=buckets[-1].key)


class utc_hour(FunctionElement[str]):
    """``'YYYY-MM-DD HH'`` of an instant in UTC: grouped in SQL, then folded into local days and hours
    in Python with the exact offset of each hour (so DST never shifts a lead into the wrong hour)."""

    type = String()
    inherit_cache = True


@compiles(utc_hour, "sqlite")
def _utc_hour_sqlite(element: utc_hour, compiler: Any, **kw: Any) -> str:
    # UtcDateTime stores naive UTC text 'YYYY-MM-DD HH:MM:SS.ffffff' on SQLite.
    return f"substr({compiler.process(element.clauses, **kw)}, 1, 13)"


@compiles(utc_hour, "postgresql")
def _utc_hour_postgresql(element: utc_hour, compiler: Any, **kw: Any) -> str:
    return f"to_char(({compiler.process(element.clauses, **kw)}) AT TIME ZONE 'UTC', 'YYYY-MM-DD HH24')"


def parse_hour_key(key: str) -> datetime:
    return datetime.strptime(key, "%Y-%m-%d %H").replace(tzinfo=UTC)


class _NearestRanks:
    """SQLite aggregate ``handoff_percentiles(value)``: collects one group's values, returns the
    ``PERCENTILES`` by ``metrics.percentile`` as a JSON array. SQLite has no ordered-set aggregate, and
    a window-function rank costs a second sort per query; this costs one Python call per row."""

    def __init__(self) -> None:
        self.values: list[float] = []

    def step(self, value: float | None) -> None:
        if value is not None:
            self.values.append(value)

    def finalize(self) -> str | None:
        if not self.values:
            return None
        self.values.sort()
        return json.dumps([percentile(self.values, percent) for percent in PERCENTILES])


class _RanksType(TypeDecorator[list[float]]):
    """The aggregate's result: a JSON array on SQLite, a float8[] on PostgreSQL; a list either way."""

    impl = String
    cache_ok = True

    def process_result_value(self, value: Any, dialect: Dialect) -> list[float] | None:
        if value is None:
            return None
        if isinstance(value, str):
            value = json.loads(value)
        return [float(item) for item in value]


class ranks(FunctionElement[list[float]]):
    """The nearest-rank ``PERCENTILES`` of a column, as an aggregate usable next to counts in one scan."""

    type = _RanksType()
    inherit_cache = True


@compiles(ranks, "sqlite")
def _ranks_sqlite(element: ranks, compiler: Any, **kw: Any) -> str:
    return f"handoff_percentiles({compiler.process(element.clauses, **kw)})"


@compiles(ranks, "postgresql")
def _ranks_postgresql(element: ranks, compiler: Any, **kw: Any) -> str:
    # percentile_disc(f) is the first value whose cumulative share reaches f: the nearest rank ceil(f * n).
    fractions = ", ".join(f"{percent / 100!r}" for percent in PERCENTILES)
    value = compiler.process(element.clauses, **kw)
    return f"percentile_disc(ARRAY[{fractions}]::float8[]) WITHIN GROUP (ORDER BY {value})"


def prepare(connection: Connection) -> Connection:
    """Make the dashboard's SQL functions available on this connection (SQLite needs them registered)."""
    if connection.dialect.name == "sqlite":
        connection.connection.driver_connection.create_aggregate(  # type: ignore[union-attr]
            "handoff_percentiles", 1, _NearestRanks
        )
    return connection


def unpack(found: list[float] | None) -> dict[int, float]:
    """``{50: seconds, 90: seconds}`` from a ``ranks`` result (empty when there were no values)."""
    return dict(zip(PERCENTILES, found, strict=True)) if found else {}


def count_by(connection: Connection, query: Select[Any]) -> dict[Any, int]:
    return {row[0]: int(row[1]) for row in connection.execute(query)}
