"""Flow 4.2, Salesforce side: create or update the routed Lead, read the owner back, then record it.

``salesforce.route_lead`` (outbox, routing priority) payload::

    {"handoff_id": 7, "marketo_id": 1001, "email": "ann@acme.com",
     "known_lead_id": "00Q…" | null, "known_contact_id": "003…" | null,
     "lead_fields": {"LastName": "Lee", "Company": "Acme", "Email": "ann@acme.com", …},
     "assignment_rule": "TRUE" | "01Q…", "marketo_fields": {…}}

Dedupe (the integration spec's "critical risk"): a Contact (by the id kept on the Marketo person, by
the converted Lead, or by email) is never given a Lead; an open Lead (by id or email) is updated with
``Sforce-Auto-Assign: FALSE`` so its owner stays; only otherwise is a Lead created, with the rule in
the header (reference/salesforce.md §5). Salesforce has no idempotency key on create, so this lookup
runs on every attempt: after a crash between the create and the outbox's sent mark, the retry finds
the Lead it made instead of making a second one. The result goes back into the inbox as
``sync.lead_routed`` under the same key, whose handler marks the handoff ``routed`` and queues the
Marketo write-back in one transaction.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlmodel import Session

from handoff.clock import Clock
from sync import kinds
from sync.flows.handoffs import mark_routed
from sync.inbox import InboxWork, store
from sync.mapping import FieldMapping
from sync.outbox import PRIORITY_ROUTING, PRIORITY_SYNC, OutboxWork, enqueue
from sync.ports import SalesforcePort
from sync.soql import is_record_id, literal


@dataclass(frozen=True)
class Existing:
    sobject: str
    id: str
    owner_id: str | None


async def _first(salesforce: SalesforcePort, soql: str) -> dict[str, Any] | None:
    async for record in salesforce.query(soql, priority=PRIORITY_ROUTING):
        return record
    return None


async def find_existing(
    salesforce: SalesforcePort, *, email: str | None, lead_id: Any, contact_id: Any
) -> Existing | None:
    """The Contact or open Lead this person already is, if any (a Contact beats a Lead)."""
    if is_record_id(contact_id):
        contact = await salesforce.get("Contact", contact_id, ["OwnerId"], priority=PRIORITY_ROUTING)
        if contact is not None:
            return Existing("Contact", contact["Id"], contact.get("OwnerId"))
    if is_record_id(lead_id):
        lead = await salesforce.get(
            "Lead", lead_id, ["OwnerId", "IsConverted", "ConvertedContactId"], priority=PRIORITY_ROUTING
        )
        if lead is not None and not lead.get("IsConverted"):
            return Existing("Lead", lead["Id"], lead.get("OwnerId"))
        if lead is not None and is_record_id(lead.get("ConvertedContactId")):
            contact = await salesforce.get(
                "Contact", lead["ConvertedContactId"], ["OwnerId"], priority=PRIORITY_ROUTING
            )
            if contact is not None:
                return Existing("Contact", contact["Id"], contact.get("OwnerId"))
    if not email:
        return None
    contact = await _first(
        salesforce,
        f"SELECT Id, OwnerId FROM Contact WHERE Email = {literal(email)} ORDER BY CreatedDate LIMIT 1",
    )
    if contact is not None:
        return Existing("Contact", contact["Id"], contact.get("OwnerId"))
    lead = await _first(
        salesforce,
        f"SELECT Id, OwnerId FROM Lead WHERE Email = {literal(email)} AND IsConverted = false "
        "ORDER BY CreatedDate LIMIT 1",
    )
    return Existing("Lead", lead["Id"], lead.get("OwnerId")) if lead is not None else None


class RouteLead:
    """The outbox handler of ``salesforce.route_lead``."""

    def __init__(
        self, salesforce: SalesforcePort, session_factory: Callable[[], Session], clock: Clock
    ) -> None:
        self.salesforce = salesforce
        self.session_factory = session_factory
        self.clock = clock

    async def __call__(self, work: OutboxWork) -> dict[str, Any]:
        payload = work.payload
        fields = dict(payload["lead_fields"])
        existing = await find_existing(
            self.salesforce,
            email=payload.get("email"),
            lead_id=payload.get("known_lead_id"),
            contact_id=payload.get("known_contact_id"),
        )
        created = False
        if existing is None:
            lead_id = await self.salesforce.create(
                "Lead",
                fields,
                auto_assign=payload.get("assignment_rule") or "TRUE",
                priority=PRIORITY_ROUTING,
            )
            sobject, record_id, created = "Lead", lead_id, True
        elif existing.sobject == "Lead":
            # Fresher Marketo data, but the owner stays: FALSE, never the default TRUE (§5, §11).
            await self.salesforce.update(
                "Lead", existing.id, fields, auto_assign="FALSE", priority=PRIORITY_ROUTING
            )
            sobject, record_id = "Lead", existing.id
        else:
            sobject, record_id = "Contact", existing.id
        owner_id = existing.owner_id if sobject == "Contact" and existing else None
        if sobject == "Lead":
            read_back = await self.salesforce.get("Lead", record_id, ["OwnerId"], priority=PRIORITY_ROUTING)
            owner_id = read_back.get("OwnerId") if read_back else None
        result = {
            "handoff_id": payload["handoff_id"],
            "marketo_id": payload["marketo_id"],
            "sobject": sobject,
            "record_id": record_id,
            "owner_id": owner_id,
            "created": created,
            "marketo_fields": payload.get("marketo_fields") or {},
        }
        with self.session_factory() as session:
            store(
                session,
                source=kinds.SOURCE_FOLLOW_UP,
                kind=kinds.LEAD_ROUTED,
                natural_key=work.idempotency_key,
                payload=result,
                now=self.clock(),
            )
            session.commit()
        return result


def routed_message(result: dict[str, Any]) -> str:
    owner = result.get("owner_id") or "unknown"
    if result["sobject"] == "Contact":
        return f"Already a Salesforce Contact ({result['record_id']}): no Lead created; owner {owner}."
    if result.get("created"):
        return f"Lead {result['record_id']} created in Salesforce; owner {owner} set by the assignment rule."
    return f"Existing Lead {result['record_id']} updated (owner kept: {owner})."


class LeadRouted:
    """The inbox handler of ``sync.lead_routed``: handoff ``routed`` + Marketo write-back, atomically."""

    def __init__(self, mapping: FieldMapping, clock: Clock) -> None:
        self.mapping = mapping
        self.clock = clock

    async def __call__(self, session: Session, work: InboxWork) -> None:
        result = work.payload
        now = self.clock()
        is_lead = result["sobject"] == "Lead"
        handoff = mark_routed(
            session,
            result["handoff_id"],
            now=now,
            lead_id=result["record_id"] if is_lead else None,
            contact_id=None if is_lead else result["record_id"],
            owner_id=result.get("owner_id"),
            message=routed_message(result),
            data={k: result.get(k) for k in ("sobject", "record_id", "owner_id", "created")},
        )
        if handoff is None:
            return
        enqueue_routed_writeback(session, self.mapping, result, now)


def enqueue_routed_writeback(
    session: Session, mapping: FieldMapping, result: dict[str, Any], now: datetime
) -> None:
    person: dict[str, Any] = {"id": result["marketo_id"]}
    id_field = mapping.lead_id_field if result["sobject"] == "Lead" else mapping.contact_id_field
    if id_field:
        person[id_field] = result["record_id"]
    if mapping.lifecycle_field:
        person[mapping.lifecycle_field] = mapping.routed_status
    person.update(result.get("marketo_fields") or {})
    enqueue(
        session,
        target="marketo",
        operation=kinds.OP_MARKETO_LEAD_UPDATE,
        idempotency_key=f"routed:{result['handoff_id']}",
        payload={"action": "updateOnly", "lookupField": "id", "input": [person]},
        now=now,
        priority=PRIORITY_SYNC,
        handoff_id=result["handoff_id"],
    )
