"""Models and migrations agree: after ``upgrade``, autogenerate finds nothing to change (SQLite and PostgreSQL)."""

from __future__ import annotations

import pytest
from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from sqlmodel import SQLModel

from handoff.db import migration_status, upgrade

pytestmark = pytest.mark.storage


def test_upgrade_brings_an_empty_database_to_head(bare_engine):
    assert migration_status(bare_engine).current is None
    status = upgrade(bare_engine)
    assert status.is_current and status.current == status.head


def test_models_and_migrations_agree(bare_engine):
    upgrade(bare_engine)
    with bare_engine.connect() as connection:
        context = MigrationContext.configure(connection, opts={"compare_type": True})
        differences = compare_metadata(context, SQLModel.metadata)
    assert differences == [], (
        f"models differ from migrations; run `handoff db revision -m ...`: {differences}"
    )


def test_upgrade_is_idempotent(bare_engine):
    upgrade(bare_engine)
    assert upgrade(bare_engine).is_current
