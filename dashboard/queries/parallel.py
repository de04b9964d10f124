"""Running a page's independent queries side by side, each on its own pooled connection.

A page asks several questions of the same period (this period, the previous one, the daily series);
each is one scan of the period. Run one after the other they add up; run together they take about as
long as the slowest, on PostgreSQL (one backend per connection) and on SQLite in WAL mode (readers never
block each other, and the sqlite3 module releases the GIL while a statement runs). Reads only: every
connection is rolled back, nothing here can write.
"""

from __future__ import annotations

from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from typing import Any

from sqlalchemy.engine import Connection, Engine

from dashboard.queries.common import prepare

WORKERS = 4
_pool = ThreadPoolExecutor(max_workers=WORKERS, thread_name_prefix="dashboard-query")

Query = Callable[[Connection], Any]


def _shares_data(engine: Engine) -> bool:
    """Separate connections see the same data (not true of an in-memory SQLite database)."""
    return engine.dialect.name != "sqlite" or engine.url.database not in (None, "", ":memory:")


def _run(engine: Engine, query: Query) -> Any:
    with engine.connect() as connection:
        try:
            return query(prepare(connection))
        finally:
            connection.rollback()


def gather(engine: Engine, queries: dict[str, Query]) -> dict[str, Any]:
    """Each query's result by name; an exception in any of them is raised here."""
    if len(queries) < 2 or not _shares_data(engine):
        with engine.connect() as connection:
            prepare(connection)
            return {name: query(connection) for name, query in queries.items()}
    futures = {name: _pool.submit(_run, engine, query) for name, query in queries.items()}
    return {name: future.result() for name, future in futures.items()}
