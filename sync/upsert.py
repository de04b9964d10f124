"""Insert-if-absent on a natural key, atomically, on SQLite and PostgreSQL (``ON CONFLICT DO NOTHING``).

Checking then inserting races between two processes; letting the database decide does not, and it
never aborts the surrounding transaction the way a failed INSERT would.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy.dialects import postgresql, sqlite
from sqlmodel import Session


def insert_if_absent(
    session: Session, model: Any, values: dict[str, Any], conflict_columns: list[str]
) -> int | None:
    """Insert ``values``; return the new row id, or None if a row with the same key already exists."""
    dialect = session.get_bind().dialect.name
    table = model.__table__
    statement: Any
    if dialect == "postgresql":
        statement = postgresql.insert(table)
    elif dialect == "sqlite":
        statement = sqlite.insert(table)
    else:  # pragma: no cover - only the two supported stores exist
        raise RuntimeError(f"unsupported database dialect {dialect!r}")
    statement = statement.values(**values).on_conflict_do_nothing(index_elements=conflict_columns)
    result = session.execute(statement.returning(table.c.id))
    row = result.first()
    return int(row[0]) if row is not None else None
