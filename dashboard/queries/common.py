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

from sqlalchemy import Select, String, and_, case, false, func, literal_column, or_, true
from sqlalchemy.engine import Connection, Dialect
from sqlalchemy.ext.compiler import compiles
from sqlalchemy.sql.elements import ColumnElement
from sqlalchemy.sql.functions import FunctionElement
from sqlalchemy.types import NullType, TypeDecorator

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


def group_key(column: ColumnElement[Any]) -> ColumnElement[Any]:
    """A dimension to GROUP BY, wrapped so that SQLite does not walk the dimension's own index.

    Grouping on a bare indexed column makes SQLite skip-scan ``(segment, mql_at)`` and fetch rows in
    random order (4x slower on a million handoffs than scanning the period by ``mql_at`` and sorting
    the groups). NULL becomes ``''``; ``ungroup`` turns it back.
    """
    # The empty string is inlined, not bound: PostgreSQL must see the same expression in SELECT and GROUP BY.
    return func.coalesce(column, literal_column("''"))


def ungroup(value: Any) -> Any:
    return None if value == "" else value


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


def leaked(now: datetime, limits: StageLimits) -> ColumnElement[bool]:
    """``stage_of(...) in LEAKED_STAGES`` without the whole ``CASE``: cheaper per row on a million rows."""
    held_too_long = and_(h.routed_at.is_(None), or_(h.closed_at.is_not(None), h.mql_at < now - limits.hold))
    untouched = and_(
        h.routed_at.is_not(None),
        h.first_touch_at.is_(None),
        or_(
            and_(h.due_at.is_not(None), h.due_at <= now),
            and_(h.due_at.is_(None), h.routed_at <= now - limits.untouched_without_due),
        ),
    )
    return and_(
        h.converted_at.is_(None),
        or_(h.state == "recycled", and_(h.state != "rejected", or_(held_too_long, untouched))),
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


class utc_hour(FunctionElement[Any]):
    """The UTC hour of an instant: grouped in SQL, then folded into local days and hours in Python with
    the exact offset of each hour (so DST never shifts a lead into the wrong hour)."""

    type = NullType()
    inherit_cache = True


@compiles(utc_hour, "sqlite")
def _utc_hour_sqlite(element: utc_hour, compiler: Any, **kw: Any) -> str:
    # UtcDateTime stores naive UTC text 'YYYY-MM-DD HH:MM:SS.ffffff' on SQLite.
    return f"substr({compiler.process(element.clauses, **kw)}, 1, 13)"


@compiles(utc_hour, "postgresql")
def _utc_hour_postgresql(element: utc_hour, compiler: Any, **kw: Any) -> str:
    # date_trunc on the UTC wall time (a timestamp without zone): far cheaper per row than to_char.
    return f"date_trunc('hour', ({compiler.process(element.clauses, **kw)}) AT TIME ZONE 'UTC')"


def parse_hour_key(key: str | datetime) -> datetime:
    """The UTC hour of a ``utc_hour`` value: text on SQLite, a naive UTC timestamp on PostgreSQL."""
    if isinstance(key, datetime):
        return key.replace(tzinfo=UTC)
    return datetime.strptime(key, "%Y-%m-%d %H").replace(tzinfo=UTC)


def _percentiles_json(columns: list[list[float]]) -> str:
    found = []
    for column in columns:
        column.sort()
        found.append([percentile(column, percent) for percent in PERCENTILES] if column else None)
    return json.dumps(found)


class _NearestRanks:
    """SQLite aggregate ``handoff_percentiles(a, b, ...)``: collects one group's values of each argument and
    returns, per argument, the ``PERCENTILES`` by ``metrics.percentile`` (a JSON array of arrays or nulls).

    SQLite has no ordered-set aggregate, and a window-function rank costs a sort per column and per query;
    this costs one Python call per row for all the columns together (rows with no value at all are
    filtered out before the call, see ``_ranks_sqlite``). One and two columns, the common cases, have
    their own step without a loop: the call is most of the cost.
    """

    def __init__(self) -> None:
        self.columns: list[list[float]] = []

    def step(self, *values: float | None) -> None:
        if not self.columns:
            self.columns = [[] for _ in values]
        for column, value in zip(self.columns, values, strict=True):
            if value is not None:
                column.append(value)

    def finalize(self) -> str:
        return _percentiles_json(self.columns)


class _NearestRanks1:
    def __init__(self) -> None:
        self.values: list[float] = []

    def step(self, value: float | None) -> None:
        if value is not None:
            self.values.append(value)

    def finalize(self) -> str:
        return _percentiles_json([self.values])


class _NearestRanks2:
    def __init__(self) -> None:
        self.first: list[float] = []
        self.second: list[float] = []

    def step(self, first: float | None, second: float | None) -> None:
        if first is not None:
            self.first.append(first)
        if second is not None:
            self.second.append(second)

    def finalize(self) -> str:
        return _percentiles_json([self.first, self.second])


class _RanksType(TypeDecorator[list[Any]]):
    """The aggregate's result, one entry per column: JSON text on SQLite, json on PostgreSQL."""

    impl = String
    cache_ok = True

    def process_result_value(self, value: Any, dialect: Dialect) -> list[Any] | None:
        if value is None:
            return None
        return json.loads(value) if isinstance(value, str) else value


class ranks(FunctionElement[list[Any]]):
    """The nearest-rank ``PERCENTILES`` of one or more columns, as one aggregate next to counts in a scan.

    The result has one entry per column: ``[p50, p90]``, or None when the column had no values.
    """

    type = _RanksType()
    inherit_cache = True


@compiles(ranks, "sqlite")
def _ranks_sqlite(element: ranks, compiler: Any, **kw: Any) -> str:
    columns = [compiler.process(column, **kw) for column in element.clauses]
    some_value = " OR ".join(f"{column} IS NOT NULL" for column in columns)
    return f"handoff_percentiles({', '.join(columns)}) FILTER (WHERE {some_value})"


@compiles(ranks, "postgresql")
def _ranks_postgresql(element: ranks, compiler: Any, **kw: Any) -> str:
    # percentile_disc(f) is the first value whose cumulative share reaches f: the nearest rank ceil(f * n).
    fractions = ", ".join(f"{percent / 100!r}" for percent in PERCENTILES)
    each = [
        f"percentile_disc(ARRAY[{fractions}]::float8[]) WITHIN GROUP (ORDER BY {compiler.process(column, **kw)})"
        for column in element.clauses
    ]
    return f"json_build_array({', '.join(each)})"


# Memory for the sorts of one dashboard transaction on PostgreSQL: the default 4 MB makes a percentile
# over a month of handoffs spill to disk. SET LOCAL ends with the request's transaction.
POSTGRES_WORK_MEM = "64MB"


def prepare(connection: Connection) -> Connection:
    """Make the dashboard's SQL functions available on this connection (SQLite needs them registered)."""
    if connection.dialect.name == "sqlite":
        driver = connection.connection.driver_connection
        driver.create_aggregate("handoff_percentiles", -1, _NearestRanks)  # type: ignore[union-attr]
        driver.create_aggregate("handoff_percentiles", 1, _NearestRanks1)  # type: ignore[union-attr]
        driver.create_aggregate("handoff_percentiles", 2, _NearestRanks2)  # type: ignore[union-attr]
    elif connection.dialect.name == "postgresql":
        connection.exec_driver_sql(f"SET LOCAL work_mem = '{POSTGRES_WORK_MEM}'")
    return connection


def unpack(found: list[Any] | None, column: int = 0) -> dict[int, float]:
    """``{50: seconds, 90: seconds}`` for one column of a ``ranks`` result (empty when it had no values)."""
    values = found[column] if found else None
    return (
        {percent: float(value) for percent, value in zip(PERCENTILES, values, strict=True)} if values else {}
    )


def count_by(connection: Connection, query: Select[Any]) -> dict[Any, int]:
    return {row[0]: int(row[1]) for row in connection.execute(query)}
