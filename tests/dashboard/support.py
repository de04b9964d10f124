"""Shared helpers for the dashboard tests: a seeded history, and the pure view of it to check SQL against."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.engine import Engine

from dashboard.sample import SampleWorld, insert_sample
from handoff.config import ConfigInvalid, parse_text
from routing.models import Handoff

NOW = datetime(2026, 11, 2, 9, 0, tzinfo=UTC)


@dataclass(frozen=True)
class Seeded:
    handoffs: int
    events: int


def seed_history(
    engine: Engine, *, handoffs: int = 3000, days: int = 70, seed: int = 3, now: datetime = NOW
) -> Seeded:
    world = SampleWorld(seed=seed, now=now, days=days, handoffs=handoffs)
    with engine.begin() as connection:
        count, events = insert_sample(connection, world, snapshots=True)
    return Seeded(count, events)


def all_handoffs(engine: Engine) -> list[dict[str, Any]]:
    with engine.connect() as connection:
        return [dict(row._mapping) for row in connection.execute(select(Handoff.__table__))]  # type: ignore[attr-defined]


def full_validator(text: str) -> list[tuple[str, str]]:
    """What the composition root injects: the whole-document check (routing + SLA + cross-references)."""
    try:
        parse_text(text, "config version")
    except ConfigInvalid as exc:
        return [(error.path, error.message) for error in exc.errors]
    return []


INVALID_CONFIG = """\
routing:
  segments:
    - name: tier_a
      sla: gold
sla:
  policies:
    tier_a:
      first_touch: 15m
"""
VALID_CONFIG = INVALID_CONFIG.replace("sla: gold", "sla: tier_a")
