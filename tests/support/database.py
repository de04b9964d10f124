"""An isolated database per test: a file in a temp dir on SQLite, a fresh schema on PostgreSQL.

Set ``HANDOFF_TEST_DATABASE_URL=postgresql://postgres@127.0.0.1:5432/test`` to run on PostgreSQL.
"""

from __future__ import annotations

import os
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from sqlalchemy import text
from sqlalchemy.engine import Engine

from handoff.db import make_db_engine, normalise_url

POSTGRES_URL_ENV = "HANDOFF_TEST_DATABASE_URL"


def test_database_url() -> str | None:
    return os.environ.get(POSTGRES_URL_ENV) or None


@contextmanager
def isolated_engine(tmp_path: Path) -> Iterator[Engine]:
    """Yield an engine on an empty database of its own; drop it afterwards."""
    base = test_database_url()
    if not base:
        engine = make_db_engine(f"sqlite:///{tmp_path / 'handoff-test.sqlite'}")
        try:
            yield engine
        finally:
            engine.dispose()
        return
    schema = f"t_{uuid.uuid4().hex[:12]}"
    admin = make_db_engine(base, pool_size=1, max_overflow=0)
    with admin.begin() as connection:
        connection.execute(text(f'CREATE SCHEMA "{schema}"'))
    engine = make_db_engine(
        normalise_url(base), connect_args={"options": f"-csearch_path={schema}"}, pool_size=5, max_overflow=5
    )
    try:
        yield engine
    finally:
        engine.dispose()
        with admin.begin() as connection:
            connection.execute(text(f'DROP SCHEMA "{schema}" CASCADE'))
        admin.dispose()
