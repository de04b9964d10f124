"""Program membership and companies (reference/marketo.md §5, §6).

Membership goes through the current program-member API, ``/rest/v1/programs/{id}/members/status.json``
and ``…/members/delete.json`` (``/rest/v1/leads/programs/members.json`` does not exist). Status changes
add non-members and skip leads already at or past the status (1037): those skips come back as outcomes.
Companies are synced with ``POST /rest/v1/companies.json``; with native CRM sync on, Marketo answers 1018
and every outcome carries ``MarketoCrmSyncEnabled`` so the flow can record "skipped: CRM sync on".
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from sync.marketo.results import RecordOutcome
from sync.marketo.transport import MarketoTransport
from sync.outbox import PRIORITY_SYNC

COMPANY_ACTIONS = ("createOnly", "updateOnly", "createOrUpdate")
DEDUPE_KEYS = {"dedupeFields": "externalCompanyId", "idField": "id"}


def _program_id(value: Any) -> int:
    if isinstance(value, bool) or not isinstance(value, int) or value <= 0:
        raise ValueError(f"a Marketo program id is a positive integer, not {value!r}")
    return value


def _members(lead_ids: Sequence[int]) -> list[dict[str, int]]:
    members = []
    for lead_id in lead_ids:
        if isinstance(lead_id, bool) or not isinstance(lead_id, int) or lead_id <= 0:
            raise ValueError(f"a Marketo lead id is a positive integer, not {lead_id!r}")
        members.append({"leadId": lead_id})
    return members


class ProgramsMixin(MarketoTransport):
    async def set_program_member_status(
        self, program_id: int, status_name: str, lead_ids: Sequence[int], *, priority: int = PRIORITY_SYNC
    ) -> list[RecordOutcome]:
        """Set (or add with) ``status_name`` for each lead; 300 leads a call; one outcome per lead."""
        if not status_name.strip():
            raise ValueError("status_name is required (a status of the program's channel)")
        return await self.write_records(
            f"/rest/v1/programs/{_program_id(program_id)}/members/status.json",
            _members(lead_ids),
            {"statusName": status_name},
            endpoint="programs.members.status",
            priority=priority,
            key=lambda m: m["leadId"],
        )

    async def delete_program_members(
        self, program_id: int, lead_ids: Sequence[int], *, priority: int = PRIORITY_SYNC
    ) -> list[RecordOutcome]:
        """Remove leads from a program; a lead that is not a member is ``skipped`` with 1037."""
        return await self.write_records(
            f"/rest/v1/programs/{_program_id(program_id)}/members/delete.json",
            _members(lead_ids),
            {},
            endpoint="programs.members.delete",
            priority=priority,
            key=lambda m: m["leadId"],
        )

    async def sync_companies(
        self,
        companies: Sequence[Mapping[str, Any]],
        *,
        action: str = "createOrUpdate",
        dedupe_by: str = "dedupeFields",
        priority: int = PRIORITY_SYNC,
    ) -> list[RecordOutcome]:
        """Create/update companies by ``externalCompanyId`` (or ``id`` with ``dedupe_by="idField"``)."""
        if action not in COMPANY_ACTIONS:
            raise ValueError(f"action must be one of {', '.join(COMPANY_ACTIONS)}, not {action!r}")
        if dedupe_by not in DEDUPE_KEYS:
            raise ValueError(f"dedupe_by must be dedupeFields or idField, not {dedupe_by!r}")
        key_field = DEDUPE_KEYS[dedupe_by]
        for index, company in enumerate(companies):
            if company.get(key_field) in (None, ""):
                raise ValueError(f"company {index} has no {key_field}, which dedupe_by={dedupe_by} needs")
        return await self.write_records(
            "/rest/v1/companies.json",
            companies,
            {"action": action, "dedupeBy": dedupe_by},
            endpoint="companies.sync",
            priority=priority,
            key=lambda c: c[key_field],
        )
