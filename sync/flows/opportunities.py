"""Flow 4.3: an Opportunity closed (won or lost) → its people leave the acquisition programs and join
the post-sale or re-engagement program.

The specification's ``/rest/v1/leads/programs/members.json`` does not exist; membership goes through
``POST /rest/v1/programs/{id}/members/delete.json`` and ``…/members/status.json`` (reference/marketo.md
§5). The people are the Opportunity's contact roles (or its Account's contacts, by configuration),
found in Marketo by the Contact id Marketo keeps and then by normalised email. Keys carry the outcome,
so a closed Opportunity notified twice moves people once, and a Lost that becomes Won moves them again.
"""

from __future__ import annotations

import logging
from typing import Any

from sqlmodel import Session

from handoff.clock import Clock
from sync import kinds
from sync.config import SyncConfig
from sync.flows.converted import truthy
from sync.inbox import InboxWork
from sync.mapping import normalise_email
from sync.outbox import PRIORITY_SYNC, enqueue
from sync.ports import MarketoPort, SalesforcePort
from sync.soql import is_record_id, literal

log = logging.getLogger(__name__)

OPPORTUNITY_FIELDS = ("StageName", "IsClosed", "IsWon", "AccountId")


class OpportunityChanged:
    """Inbox handler of ``salesforce.opportunity``."""

    def __init__(
        self, salesforce: SalesforcePort, marketo: MarketoPort, config: SyncConfig, clock: Clock
    ) -> None:
        self.salesforce = salesforce
        self.marketo = marketo
        self.config = config
        self.clock = clock

    async def __call__(self, session: Session, work: InboxWork) -> None:
        opportunity_id = work.payload["record_id"]
        fields: dict[str, Any] = dict(work.payload.get("fields") or {})
        if "IsClosed" in fields and not truthy(fields["IsClosed"]):
            return
        if work.payload.get("polled") and all(f in fields for f in OPPORTUNITY_FIELDS):
            opportunity = fields
        else:
            # An Outbound Message carries the values of when it was sent (§8): ask for today's.
            opportunity = await self.salesforce.get(
                "Opportunity", opportunity_id, OPPORTUNITY_FIELDS, priority=PRIORITY_SYNC
            )
        if opportunity is None or not truthy(opportunity.get("IsClosed")):
            return
        outcome = "won" if truthy(opportunity.get("IsWon")) else "lost"
        program_id = self.config.won_program_id if outcome == "won" else self.config.lost_program_id
        status = self.config.won_status if outcome == "won" else self.config.lost_status
        if program_id is None and not self.config.acquisition_program_ids:
            return
        contacts = await self._contacts(opportunity_id, opportunity.get("AccountId"))
        lead_ids = await self._marketo_ids(contacts)
        if not lead_ids:
            log.info("closed opportunity has no people in Marketo", extra={"opportunity_id": opportunity_id})
            return
        now = self.clock()
        for acquisition in self.config.acquisition_program_ids:
            if acquisition == program_id:
                continue
            enqueue(
                session,
                target="marketo",
                operation=kinds.OP_PROGRAM_REMOVE,
                idempotency_key=f"opportunity:{opportunity_id}:{outcome}:remove:{acquisition}",
                payload={"program_id": acquisition, "lead_ids": lead_ids},
                now=now,
            )
        if program_id is not None:
            enqueue(
                session,
                target="marketo",
                operation=kinds.OP_PROGRAM_STATUS,
                idempotency_key=f"opportunity:{opportunity_id}:{outcome}:add:{program_id}",
                payload={"program_id": program_id, "status": status, "lead_ids": lead_ids},
                now=now,
            )

    async def _contacts(self, opportunity_id: str, account_id: Any) -> list[dict[str, Any]]:
        if self.config.opportunity_contacts == "contact_roles":
            soql = (
                "SELECT ContactId, Contact.Email FROM OpportunityContactRole "
                f"WHERE OpportunityId = {literal(opportunity_id)}"
            )
            rows = [row async for row in self.salesforce.query(soql, priority=PRIORITY_SYNC)]
            return [
                {"Id": row["ContactId"], "Email": (row.get("Contact") or {}).get("Email")}
                for row in rows
                if is_record_id(row.get("ContactId"))
            ]
        if not is_record_id(account_id):
            return []
        soql = f"SELECT Id, Email FROM Contact WHERE AccountId = {literal(account_id)}"
        return [row async for row in self.salesforce.query(soql, priority=PRIORITY_SYNC)]

    async def _marketo_ids(self, contacts: list[dict[str, Any]]) -> list[int]:
        found: set[int] = set()
        unmatched = list(contacts)
        field = self.config.field_map.contact_id_field
        if field and contacts:
            people = await self.marketo.get_leads(
                field, [c["Id"] for c in contacts], ["id", field], priority=PRIORITY_SYNC
            )
            linked = {str(p.get(field))[:15] for p in people if p.get(field)}
            found |= {p["id"] for p in people}
            unmatched = [c for c in contacts if c["Id"][:15] not in linked]
        emails = sorted({e for c in unmatched if (e := normalise_email(c.get("Email")))})
        if emails:
            people = await self.marketo.get_leads("email", emails, ["id"], priority=PRIORITY_SYNC)
            found |= {p["id"] for p in people}
        return sorted(found)
