"""The values offered in the filter bar: every segment, team, source and owner Handoff has seen.

Read by walking each dimension's ``(value, mql_at)`` index from one value to the next (``min(x) where
x > previous``), a few index seeks per distinct value on SQLite and PostgreSQL alike, instead of a
grouped scan of the period: on a million handoffs the list costs milliseconds on every page.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import exists, func, literal, select
from sqlalchemy.engine import Connection

from dashboard.filters import NONE_VALUE
from dashboard.queries.common import DIMENSION_COLUMNS, h, handoff

MAX_VALUES = 500


@dataclass
class FilterOptions:
    segment: list[tuple[str, str]] = field(default_factory=list)
    team: list[tuple[str, str]] = field(default_factory=list)
    source: list[tuple[str, str]] = field(default_factory=list)
    owner: list[tuple[str, str]] = field(default_factory=list)


def distinct_values(connection: Connection, column: Any, limit: int = MAX_VALUES) -> list[str]:
    values: list[str] = []
    current = connection.execute(select(func.min(column))).scalar()
    while current is not None and len(values) < limit:
        values.append(current)
        current = connection.execute(select(func.min(column)).where(column > current)).scalar()
    # A LIMIT 1 probe, not EXISTS: SQLite plans the EXISTS form as a full scan.
    if connection.execute(select(literal(1)).select_from(handoff).where(column.is_(None)).limit(1)).first():
        values.append(NONE_VALUE)
    return values


def owner_name(connection: Connection, owner_id: str) -> str | None:
    """The owner's name as last recorded (owners are renamed in Salesforce now and then)."""
    return connection.execute(
        select(h.owner_name).where(h.owner_id == owner_id).order_by(h.mql_at.desc()).limit(1)
    ).scalar()


def filter_options(connection: Connection) -> FilterOptions:
    """(value, label) pairs per dimension, sorted by label; ``(none)`` selects leads without a value."""
    options = FilterOptions()
    for name, column in DIMENSION_COLUMNS.items():
        pairs = []
        for value in distinct_values(connection, column):
            label = value
            if name == "owner" and value != NONE_VALUE:
                label = owner_name(connection, value) or value
            pairs.append((value, label))
        setattr(options, name, sorted(pairs, key=lambda pair: pair[1].lower()))
    return options


def has_handoffs(connection: Connection) -> bool:
    return bool(connection.execute(select(exists().select_from(handoff))).scalar())
