"""Salesforce Tasks and Events → the SLA's first-touch matcher, as an inbox handler.

The sync layer stores every Task and Event it learns of (the activity pollers, or an Outbound Message on
Task/Event) as inbox items of kind ``salesforce.task`` / ``salesforce.event`` with the payload
``{"sobject", "record_id", "fields": {WhoId, OwnerId, CreatedById, CreatedDate, TaskSubtype, …}}``
(``sync.pollers.salesforce.record_payload``). This handler turns the payload back into the record shape
``sla.touch.parse_activity`` reads and calls ``sla.record_touches`` in the inbox item's transaction.

An activity is judged against the people Handoff knows (the directory): until the directory has been
read once, the item is retried later rather than judged as by an unknown user.
"""

from __future__ import annotations

import contextlib
from typing import Any

from sqlmodel import Session

from handoff.bridges.active import ActiveSettings
from handoff.bridges.sla_ports import SalesforceDirectory
from handoff.clock import Clock
from sla.service import record_touches
from sync.errors import RetryableError
from sync.inbox import InboxWork
from sync.pollers.cursors import parse_salesforce_datetime

_TIME_FIELDS = ("CreatedDate",)


def activity_record(payload: dict[str, Any]) -> dict[str, Any]:
    """The REST-shaped record of a Task/Event inbox payload, with times as ISO 8601 with an offset."""
    fields = dict(payload.get("fields") or {})
    record: dict[str, Any] = {**fields, "Id": fields.get("Id") or payload.get("record_id")}
    record["attributes"] = {"type": payload.get("sobject") or fields.get("attributes", {}).get("type")}
    for name in _TIME_FIELDS:
        value = record.get(name)
        if isinstance(value, str) and value:
            # An unreadable time stays as it was: the matcher reports it as malformed, with its reason.
            with contextlib.suppress(ValueError):
                record[name] = parse_salesforce_datetime(value).isoformat()
    return record


class FirstTouches:
    """Inbox handler of ``salesforce.task`` and ``salesforce.event``."""

    def __init__(self, active: ActiveSettings, directory: SalesforceDirectory, clock: Clock) -> None:
        self.active = active
        self.directory = directory
        self.clock = clock

    async def __call__(self, session: Session, work: InboxWork) -> None:
        if not self.directory.loaded:
            await self.directory.refresh()
            if not self.directory.loaded:
                raise RetryableError("the SLA directory has not been read from Salesforce yet")
        ctx = self.active.sla_context(session)
        record_touches(session, ctx, [activity_record(work.payload)], now=self.clock())
