"""Telling Marketo what routing decided: the routing reason and lifecycle value, through the outbox.

One outbox message per decision (operation ``marketo.lead.update``, idempotent on the event id), with
the body of Marketo's Sync Leads call (reference/marketo.md §3), so the sync layer's handler can send
it as is or merge up to 300 inputs into one call:
``{"action": "updateOnly", "lookupField": "id", "input": [{"id": 1001, "<field>": "<value>", …}]}``.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlmodel import Session

from routing.config import Writeback
from routing.models import Handoff
from sync.outbox import PRIORITY_SYNC, enqueue

MARKETO_LEAD_UPDATE = "marketo.lead.update"


def marketo_fields(writeback: Writeback, outcome: str, summary: str) -> dict[str, Any]:
    fields: dict[str, Any] = {}
    if outcome == "route":
        if writeback.marketo_reason_field:
            fields[writeback.marketo_reason_field] = summary
        if writeback.marketo_lifecycle_field:
            fields[writeback.marketo_lifecycle_field] = writeback.lifecycle_on_route
    elif outcome == "reject" and writeback.lifecycle_on_reject and writeback.marketo_lifecycle_field:
        fields[writeback.marketo_lifecycle_field] = writeback.lifecycle_on_reject
        if writeback.marketo_reason_field:
            fields[writeback.marketo_reason_field] = summary
    return fields


def enqueue_marketo_update(
    session: Session,
    handoff: Handoff,
    event_id: int | None,
    writeback: Writeback,
    outcome: str,
    summary: str,
    now: datetime,
) -> int | None:
    """Queue the write-back for this decision; None when there is nothing to write or no Marketo id."""
    fields = marketo_fields(writeback, outcome, summary)
    if not fields or handoff.marketo_id is None:
        return None
    message_id, _ = enqueue(
        session,
        target="marketo",
        operation=MARKETO_LEAD_UPDATE,
        idempotency_key=f"routing:marketo:{handoff.id}:{event_id}",
        payload={
            "action": "updateOnly",
            "lookupField": "id",
            "input": [{"id": handoff.marketo_id, **fields}],
        },
        now=now,
        priority=PRIORITY_SYNC,
        handoff_id=handoff.id,
    )
    return message_id
