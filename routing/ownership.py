"""Noticing that a routed lead changed owner behind Handoff's back, and recording it without fighting it.

A rep, a manager, another tool or a re-run assignment rule may move a routed Lead. Handoff does not
move it back (DESIGN.md: ownership is governed in Salesforce); it appends an ``owner_changed`` event
with the old and new owner and updates the projection, so speed-to-lead and the SLA follow the real
owner. Owners are observed from mirror refreshes, Outbound Messages, or ``check_owners`` polling.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlmodel import Session

from routing import repository
from routing.ids import InvalidSalesforceId, same_id, to_18
from routing.models import HandoffEvent
from routing.salesforce import SalesforceRouting


@dataclass(frozen=True)
class OwnerSeen:
    sobject: str  # Lead | Contact
    record_id: str
    owner_id: str | None
    seen_at: datetime


def observe_owners(session: Session, seen: Sequence[OwnerSeen], now: datetime) -> list[HandoffEvent]:
    """Record an ``owner_changed`` event on each routed handoff whose record now has another owner."""
    events: list[HandoffEvent] = []
    for sobject in ("Lead", "Contact"):
        owners: dict[str, OwnerSeen] = {}
        for item in seen:
            if item.sobject != sobject:
                continue
            try:
                owners[to_18(item.record_id)] = item
            except InvalidSalesforceId:
                continue
        if not owners:
            continue
        for handoff in repository.handoffs_by_record(session, sobject, list(owners)):
            record_id = handoff.sfdc_lead_id if sobject == "Lead" else handoff.sfdc_contact_id
            item = owners[record_id]  # type: ignore[index]
            if item.owner_id is None or same_id(item.owner_id, handoff.owner_id):
                continue
            if handoff.routed_at is not None and item.seen_at < handoff.routed_at:
                continue  # an observation older than our own assignment says nothing new
            new_owner = to_18(item.owner_id)
            events.append(
                repository.add_event(
                    session,
                    handoff,
                    "owner_changed",
                    now,
                    reason_code="changed_in_salesforce",
                    message=f"Owner changed in Salesforce from {handoff.owner_id} to {new_owner}; Handoff follows it.",
                    data={
                        "from": handoff.owner_id,
                        "to": new_owner,
                        "record_id": record_id,
                        "seen_at": item.seen_at.isoformat(),
                    },
                    config_version_id=handoff.config_version_id,
                    actor="salesforce",
                )
            )
            handoff.owner_id = new_owner
            handoff.owner_name = None
            handoff.updated_at = now
            session.add(handoff)
    session.flush()
    return events


async def check_owners(
    session: Session,
    salesforce: SalesforceRouting,
    now: datetime,
    *,
    within: timedelta = timedelta(days=30),
    limit: int = 2000,
) -> list[HandoffEvent]:
    """Poll ``OwnerId`` of recently routed records (200 per call) and record changes."""
    handoffs = repository.routed_since(session, now - within, limit)
    seen: list[OwnerSeen] = []
    for sobject, column in (("Lead", "sfdc_lead_id"), ("Contact", "sfdc_contact_id")):
        ids = sorted({getattr(h, column) for h in handoffs if getattr(h, column)})
        for start in range(0, len(ids), 200):
            owners = await salesforce.owners(sobject, ids[start : start + 200])
            seen.extend(OwnerSeen(sobject, record_id, owner, now) for record_id, owner in owners.items())
    return observe_owners(session, seen, now)
