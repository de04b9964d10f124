"""Shared helpers for the dashboard tests: a seeded history, and the pure view of it to check SQL against."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.engine import Engine

from dashboard.sample_data import SampleWorld, insert_sample
from routing.models import Handoff

NOW = datetime(2026, 11, 2, 9, 0, tzinfo=UTC)


@dataclass(frozen=True)
class Seeded:
    handoffs: int
    events: int


def seed_history(
    engine: Engine, *, handoffs: int = 3000, days: int = 70, seed: int = 3, now: datetime = NOW
) -> Seeded:
    with engine.begin() as connection:
        count, events = insert_sample(
            connection, SampleWorld(seed=seed, now=now, days=days, handoffs=handoffs)
        )
    return Seeded(count, events)


def all_handoffs(engine: Engine) -> list[dict[str, Any]]:
    with engine.connect() as connection:
        return [dict(row._mapping) for row in connection.execute(select(Handoff.__table__))]  # type: ignore[attr-defined]
