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
