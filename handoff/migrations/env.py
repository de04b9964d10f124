"""Alembic environment: runs against the engine the caller passes in ``config.attributes``."""

from __future__ import annotations

from alembic import context
from sqlalchemy import JSON
from sqlmodel import SQLModel

import handoff.models  # noqa: F401  (registers every table on SQLModel.metadata)
from handoff.types import UtcDateTime

target_metadata = SQLModel.metadata


def render_item(type_: str, obj: object, autogen_context: object) -> str | bool:
    if type_ == "type" and isinstance(obj, UtcDateTime):
        autogen_context.imports.add("import handoff.types")  # type: ignore[attr-defined]
        return "handoff.types.UtcDateTime()"
    if type_ == "type" and isinstance(obj, JSON) and getattr(obj, "_variant_mapping", None):
        autogen_context.imports.add("import handoff.types")  # type: ignore[attr-defined]
        return "handoff.types.JsonDocument"
    if type_ == "type" and type(obj).__module__.startswith("sqlmodel"):
        autogen_context.imports.add("import sqlmodel")  # type: ignore[attr-defined]
        return f"sqlmodel.sql.sqltypes.{type(obj).__name__}()"
    return False


def run_migrations() -> None:
    engine = context.config.attributes["engine"]
    with engine.connect() as connection:
        context.configure(
            connection=connection,
            target_metadata=target_metadata,
            render_item=render_item,
            render_as_batch=connection.dialect.name == "sqlite",
            compare_type=True,
        )
        with context.begin_transaction():
            context.run_migrations()
        connection.commit()


run_migrations()
