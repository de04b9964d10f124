"""Writing a sample world into the database: versions, person snapshots, handoffs and events, in batches."""

from __future__ import annotations

from typing import Any

from sqlalchemy import insert, text
from sqlalchemy.engine import Connection

from dashboard.sample.catalogue import COUNTRIES
from dashboard.sample.world import SampleWorld
from routing.models import ConfigVersion, Handoff, HandoffEvent, PersonSnapshot


def snapshot_for(row: dict[str, Any]) -> dict[str, Any]:
    """What the gate saw for a decided handoff (Marketo field names), so the ops preview can replay it."""
    first, last = row["email"].split("@")[0].rstrip("0123456789").split(".")
    return {
        "id": row["id"],
        "marketo_id": row["marketo_id"],
        "email": row["email"],
        "captured_at": row["decided_at"],
        "fields": {
            "email": row["email"],
            "firstName": first.capitalize(),
            "lastName": last.capitalize(),
            "company": row["company"],
            "country": COUNTRIES[row["id"] % len(COUNTRIES)],
            "leadSource": row["source"],
            "leadScore": 60 + row["id"] % 40,
            "title": "Head of Operations",
            "phone": "+49 30 1234567",
        },
        "context": {
            "records": [],
            "accounts": [],
            "marketo_duplicates": [],
            "complete": True,
            "problems": [],
        },
    }


def insert_sample(
    connection: Connection, world: SampleWorld, *, batch: int = 5000, snapshots: bool = False
) -> tuple[int, int]:
    """Insert the world's versions, handoffs and events with explicit ids; returns (handoffs, events).

    With ``snapshots`` every decided handoff also gets its ``PersonSnapshot`` (for replay previews).
    """
    connection.execute(insert(ConfigVersion.__table__), world.versions)  # type: ignore[attr-defined]
    handoffs: list[dict[str, Any]] = []
    events: list[dict[str, Any]] = []
    people: list[dict[str, Any]] = []
    count = total_events = 0
    for row, row_events in world.handoffs():
        if snapshots and row["decided_at"] is not None:
            people.append(snapshot_for(row))
            row["snapshot_id"] = row["id"]
        handoffs.append(row)
        events.extend(row_events)
        count += 1
        if len(handoffs) >= batch:
            total_events += _flush(connection, people, handoffs, events)
            handoffs, events, people = [], [], []
    total_events += _flush(connection, people, handoffs, events)
    if connection.dialect.name == "postgresql":
        for table in ("config_version", "person_snapshot", "handoff", "handoff_event"):
            connection.execute(
                text(
                    f"SELECT setval(pg_get_serial_sequence('{table}', 'id'), "
                    f"(SELECT coalesce(max(id), 1) FROM {table}))"
                )
            )
    return count, total_events


def _flush(
    connection: Connection,
    people: list[dict[str, Any]],
    handoffs: list[dict[str, Any]],
    events: list[dict[str, Any]],
) -> int:
    if people:
        connection.execute(insert(PersonSnapshot.__table__), people)  # type: ignore[attr-defined]
    if handoffs:
        connection.execute(insert(Handoff.__table__), handoffs)  # type: ignore[attr-defined]
    if events:
        connection.execute(insert(HandoffEvent.__table__), events)  # type: ignore[attr-defined]
    return len(events)
