"""Building a running Handoff from settings: config, database, migrations — or one clear reason why not.

Start-up problems (an invalid config, an unreachable database, migrations behind) become a
``StartupError`` whose message names the problem and the fix; the CLI prints it and exits non-zero
instead of showing a traceback.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy.engine import Engine
from sqlmodel import Session

from handoff import db
from handoff.clock import Clock, utcnow
from handoff.config import ConfigInvalid, HandoffConfig, load_file
from handoff.settings import Settings


class StartupError(Exception):
    """Handoff cannot start; the message says what is wrong and how to fix it."""


@dataclass
class Runtime:
    settings: Settings
    config: HandoffConfig
    engine: Engine
    clock: Clock = utcnow
    session_factory: Callable[[], Session] = field(init=False)
    extras: dict[str, Any] = field(default_factory=dict)

    def __post_init__(self) -> None:
        self.session_factory = db.session_factory(self.engine)


def load_config(settings: Settings) -> HandoffConfig:
    if settings.config_file is None:
        return HandoffConfig()
    try:
        return load_file(settings.config_file)
    except ConfigInvalid as exc:
        lines = "\n".join(f"  {error}" for error in exc.errors)
        raise StartupError(
            f"the config file {settings.config_file} is invalid ({len(exc.errors)} error(s)):\n{lines}\n"
            f"Fix them (check with: handoff config check {settings.config_file})."
        ) from exc


def prepare_database(settings: Settings, *, migrate: bool | None = None) -> Engine:
    engine = db.make_db_engine(settings.resolved_database_url)
    migrate = settings.migrate_on_start if migrate is None else migrate
    try:
        status = db.upgrade(engine) if migrate else db.migration_status(engine)
    except db.DatabaseUnavailable as exc:
        engine.dispose()
        raise StartupError(str(exc)) from exc
    if not status.is_current:
        engine.dispose()
        raise StartupError(
            f"the database schema is at revision {status.current or 'none (empty database)'} but this version of "
            f"Handoff needs {status.head}. Run: handoff db upgrade"
        )
    return engine


def build_runtime(settings: Settings, *, clock: Clock = utcnow, migrate: bool | None = None) -> Runtime:
    config = load_config(settings)
    engine = prepare_database(settings, migrate=migrate)
    return Runtime(settings=settings, config=config, engine=engine, clock=clock)
