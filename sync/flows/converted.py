"""Flow 4.1: a Lead converted in Salesforce → the Marketo person updated → the handoff ``converted``.

The Lead notification (Outbound Message or poll) only says "this Lead changed"; a Lead is re-read
unless the notification already carries the conversion fields (they never change once a Lead is
converted). The Marketo person is found by the Lead id Marketo keeps (``sfdcLeadId``), then by the
Contact id, then by the normalised email; it gets ``sfdcContactId``, the Account id and the SQL
lifecycle value under the key ``converted:<Lead id>``, so a conversion reported twice writes once.
"""

from __future__ import annotations

import logging
from typing import Any

from sqlmodel import Session

from handoff.clock import Clock
from sync import kinds
from sync.flows.handoffs import mark_converted
from sync.inbox import InboxWork
from sync.mapping import FieldMapping, normalise_email, person_fields_from_contact, source_fields
from sync.outbox import PRIORITY_SYNC, enqueue
from sync.ports import MarketoPort, SalesforcePort
from sync.soql import is_record_id

log = logging.getLogger(__name__)

CONVERSION_FIELDS = (
    "IsConverted",
    "ConvertedContactId",
    "ConvertedAccountId",
    "ConvertedOpportunityId",
    "Email",
)


def truthy(value: Any) -> bool:
    """Outbound Messages send booleans as text, REST as JSON booleans."""
    return value is True or (isinstance(value, str) and value.strip().lower() == "true")


def says_not_converted(fields: dict[str, Any]) -> bool:
    return "IsConverted" in fields and not truthy(fields["IsConverted"])


class LeadChanged:
    """Inbox handler of ``salesforce.lead``."""

    def __init__(
        self, salesforce: SalesforcePort, marketo: MarketoPort, mapping: FieldMapping, clock: Clock
    ) -> None:
        self.salesforce = salesforce
        self.marketo = marketo
        self.mapping = mapping
        self.clock = clock

    async def __call__(self, session: Session, work: InboxWork) -> None:
        lead_id = work.payload["record_id"]
        fields: dict[str, Any] = dict(work.payload.get("fields") or {})
        if says_not_converted(fields):
            return
        if truthy(fields.get("IsConverted")) and is_record_id(fields.get("ConvertedContactId")):
            lead = fields
        else:
            lead = await self.salesforce.get("Lead", lead_id, CONVERSION_FIELDS, priority=PRIORITY_SYNC)
            if lead is None or not truthy(lead.get("IsConverted")):
                return
        contact_id = lead.get("ConvertedContactId")
        contact: dict[str, Any] | None = None
        if is_record_id(contact_id):
            wanted = list(dict.fromkeys([*source_fields(self.mapping, "contact"), "Email"]))
            contact = await self.salesforce.get(
                "Contact", contact_id, [f for f in wanted if f != "Id"], priority=PRIORITY_SYNC
            )
        contact = contact or {"Id": contact_id, "AccountId": lead.get("ConvertedAccountId")}
        update = person_fields_from_contact(self.mapping, contact)
        email = normalise_email(contact.get("Email") or lead.get("Email"))
        body = await self._marketo_body(lead_id, contact_id, email, update)
        now = self.clock()
        if body is not None:
            enqueue(
                session,
                target="marketo",
                operation=kinds.OP_MARKETO_LEAD_UPDATE,
                idempotency_key=f"converted:{lead_id}",
                payload=body,
                now=now,
                priority=PRIORITY_SYNC,
            )
        mark_converted(
            session,
            lead_id=lead_id,
            contact_id=contact_id if is_record_id(contact_id) else None,
            account_id=lead.get("ConvertedAccountId") or contact.get("AccountId"),
            opportunity_id=lead.get("ConvertedOpportunityId"),
            now=now,
        )

    async def _find_people(self, lead_id: str, contact_id: Any, email: str | None) -> list[dict[str, Any]]:
        lookups: list[tuple[str, str]] = []
        if self.mapping.lead_id_field:
            lookups.append((self.mapping.lead_id_field, lead_id))
        if self.mapping.contact_id_field and is_record_id(contact_id):
            lookups.append((self.mapping.contact_id_field, contact_id))
        if email:
            lookups.append(("email", email))
        for filter_type, value in lookups:
            people = await self.marketo.get_leads(
                filter_type, [value], ["id", "email"], priority=PRIORITY_SYNC
            )
            if people:
                return people
        return []

    async def _marketo_body(
        self, lead_id: str, contact_id: Any, email: str | None, update: dict[str, Any]
    ) -> dict[str, Any] | None:
        """Update the people Marketo links to this Lead; else upsert by email; else nothing to update."""
        people = await self._find_people(lead_id, contact_id, email)
        if people:
            return {
                "action": "updateOnly",
                "lookupField": "id",
                "input": [{"id": p["id"], **update} for p in people],
            }
        if email:
            return {"action": "createOrUpdate", "lookupField": "email", "input": [{"email": email, **update}]}
        log.info(
            "converted Lead has no Marketo person and no email; Marketo not updated",
            extra={"lead_id": lead_id},
        )
        return None
