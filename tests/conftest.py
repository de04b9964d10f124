"""Fixtures every test may use: a controllable clock and an isolated, migrated-shape database."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path

import pytest
from sqlalchemy.engine import Engine
from sqlmodel import Session, SQLModel

import handoff.models  # noqa: F401  (registers every table)
from handoff.clock import ManualClock
from tests.support.database import isolated_engine


@pytest.fixture
def clock() -> ManualClock:
    """Monday 2 November 2026, 09:00 UTC; move it with ``clock.advance(minutes=5)``."""
    return ManualClock(datetime(2026, 11, 2, 9, 0, tzinfo=UTC))


@pytest.fixture
def bare_engine(tmp_path: Path) -> Iterator[Engine]:
    """An empty database (no tables): for migration tests."""
    with isolated_engine(tmp_path) as engine:
        yield engine


@pytest.fixture
def engine(bare_engine: Engine) -> Engine:
    """A database with every table created from the models (migrations are proven equal separately)."""
    SQLModel.metadata.create_all(bare_engine)
    return bare_engine


@pytest.fixture
def session(engine: Engine) -> Iterator[Session]:
    with Session(engine, expire_on_commit=False) as db:
        yield db


@pytest.fixture
def migrated_engine(bare_engine: Engine) -> Engine:
    """A database brought up by the real migrations (what production start-up does)."""
    from handoff.db import upgrade

    upgrade(bare_engine)
    return bare_engine


@pytest.fixture
def runtime(migrated_engine: Engine, clock: ManualClock, tmp_path: Path):
    from handoff.config import HandoffConfig
    from handoff.runtime import Runtime
    from handoff.settings import Settings

    settings = Settings(
        data_dir=tmp_path / "data", secret_key="test-secret-key-0123456789", run_scheduler=False
    )
    return Runtime(settings=settings, config=HandoffConfig(), engine=migrated_engine, clock=clock)


@pytest.fixture
def client(runtime):
    """The whole app behind a test client, scheduler off (tests drive jobs by hand)."""
    from fastapi.testclient import TestClient

    from handoff.app import create_app

    with TestClient(create_app(runtime, start_scheduler=False)) as test_client:
        yield test_client
