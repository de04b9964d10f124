"""One handoff's story: the record, every event in order, the messages sent for it, the configs that decided.

Answers "why did this lead go to this person, and what happened next" from the append-only events alone;
the projection columns are shown next to them only as the current summary.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from sqlalchemy import select
from sqlalchemy.engine import Connection

from dashboard.queries.common import e, event, h, handoff
from routing.models import ConfigVersion
from sync.models import OutboxMessage


@dataclass(frozen=True)
class LeadStory:
    handoff: dict[str, Any]
    events: list[dict[str, Any]]
    messages: list[dict[str, Any]]
    versions: dict[int, dict[str, Any]]


def lead_story(connection: Connection, handoff_id: int) -> LeadStory | None:
    record = connection.execute(select(handoff).where(h.id == handoff_id)).first()
    if record is None:
        return None
    events = [
        dict(row._mapping)
        for row in connection.execute(select(event).where(e.handoff_id == handoff_id).order_by(e.at, e.id))
    ]
    outbox = OutboxMessage.__table__  # type: ignore[attr-defined]
    messages = [
        dict(row._mapping)
        for row in connection.execute(
            select(
                outbox.c.id,
                outbox.c.target,
                outbox.c.operation,
                outbox.c.status,
                outbox.c.attempts,
                outbox.c.created_at,
                outbox.c.sent_at,
                outbox.c.last_error,
            )
            .where(outbox.c.handoff_id == handoff_id)
            .order_by(outbox.c.created_at, outbox.c.id)
        )
    ]
    version_ids = {row["config_version_id"] for row in events if row["config_version_id"] is not None}
    if record.config_version_id is not None:
        version_ids.add(record.config_version_id)
    versions_table = ConfigVersion.__table__  # type: ignore[attr-defined]
    versions = {
        int(row.id): dict(row._mapping)
        for row in connection.execute(
            select(
                versions_table.c.id,
                versions_table.c.author,
                versions_table.c.comment,
                versions_table.c.status,
                versions_table.c.activated_at,
            ).where(versions_table.c.id.in_(version_ids))
        )
    }
    return LeadStory(dict(record._mapping), events, messages, versions)
