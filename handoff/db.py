"""Engines, sessions and migrations.

SQLite is the embedded default (WAL so readers never block the writer, foreign keys on, a busy timeout
so that the scheduler and the web workers queue instead of failing); PostgreSQL is the production
store. Alembic owns the schema: ``upgrade`` applies migrations and ``status`` tells start-up whether the
database is behind.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from alembic import command
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import event
from sqlalchemy.engine import Engine, make_url
from sqlmodel import Session, create_engine

MIGRATIONS_DIR = Path(__file__).parent / "migrations"


class DatabaseUnavailable(Exception):
    """The database cannot be reached or opened; the message says which and how to fix it."""


def normalise_url(url: str) -> str:
    """Accept the URLs people type (``postgresql://``, ``postgres://``) and pick the psycopg 3 driver."""
    if url.startswith("postgres://"):
        url = "postgresql://" + url[len("postgres://") :]
    if url.startswith("postgresql://"):
        url = "postgresql+psycopg://" + url[len("postgresql://") :]
    return url


def make_db_engine(url: str, **kwargs: Any) -> Engine:
    url = normalise_url(url)
    parsed = make_url(url)
    if parsed.get_backend_name() == "sqlite":
        database = parsed.database
        if database and database != ":memory:":
            Path(database).parent.mkdir(parents=True, exist_ok=True)
        engine = create_engine(url, connect_args={"check_same_thread": False, "timeout": 30}, **kwargs)
        event.listen(engine, "connect", _sqlite_pragmas)
        return engine
    kwargs.setdefault("pool_pre_ping", True)
    kwargs.setdefault("pool_size", 10)
    kwargs.setdefault("max_overflow", 20)
    return create_engine(url, **kwargs)


def _sqlite_pragmas(dbapi_connection: Any, _record: Any) -> None:
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.execute("PRAGMA synchronous=NORMAL")
    cursor.execute("PRAGMA busy_timeout=30000")
    cursor.close()


def session_factory(engine: Engine) -> Callable[[], Session]:
    def make() -> Session:
        return Session(engine, expire_on_commit=False)

    return make


def alembic_config(engine: Engine) -> Config:
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS_DIR))
    config.attributes["engine"] = engine
    return config


@dataclass(frozen=True)
class MigrationStatus:
    current: str | None
    head: str

    @property
    def is_current(self) -> bool:
        return self.current == self.head


def migration_status(engine: Engine) -> MigrationStatus:
    script = ScriptDirectory.from_config(alembic_config(engine))
    head = script.get_current_head()
    assert head is not None, "the migrations directory has no revisions"
    try:
        with engine.connect() as connection:
            current = MigrationContext.configure(connection).get_current_revision()
    except Exception as exc:
        raise DatabaseUnavailable(describe_connection_error(engine, exc)) from exc
    return MigrationStatus(current=current, head=head)


def upgrade(engine: Engine, revision: str = "head") -> MigrationStatus:
    try:
        command.upgrade(alembic_config(engine), revision)
    except DatabaseUnavailable:
        raise
    except Exception as exc:
        if _is_connection_error(exc):
            raise DatabaseUnavailable(describe_connection_error(engine, exc)) from exc
        raise
    return migration_status(engine)


def _is_connection_error(exc: BaseException) -> bool:
    from sqlalchemy.exc import OperationalError

    return isinstance(exc, OperationalError)


def describe_connection_error(engine: Engine, exc: BaseException) -> str:
    safe_url = engine.url.render_as_string(hide_password=True)
    reason = str(getattr(exc, "orig", exc)).strip().splitlines()[0] if str(exc) else type(exc).__name__
    return (
        f"cannot open the database {safe_url}: {reason}. "
        "Check HANDOFF_DATABASE_URL (and that the server is running and reachable)."
    )
