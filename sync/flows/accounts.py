"""Flow 4.5: an Account created (or changed) in Salesforce → the Marketo company upserted.

``POST /rest/v1/companies.json`` with ``createOrUpdate`` deduped by ``externalCompanyId`` = the
Account id (reference/marketo.md §6), not ``/companies/sync.json``. Where Marketo's native CRM sync is
on, companies are read-only (error 1018): with ``sync.marketo_crm_sync_enabled`` the flow does not
even try and counts a ``crm_sync_enabled`` skip; without it, the outbox records Marketo's 1018 as a
clear ``skipped`` result. The key is the Account id plus a digest of the company values, so the same
values are written once and every real change is written again.
"""

from __future__ import annotations

import hashlib
import json
from typing import Any

from sqlmodel import Session

from handoff.clock import Clock
from sync import kinds
from sync.config import SyncConfig
from sync.flows.marketo_writes import COMPANY_SKIPS
from sync.inbox import InboxWork
from sync.mapping import company_fields, source_fields
from sync.outbox import PRIORITY_SYNC, enqueue
from sync.ports import SalesforcePort


def company_key(account_id: str, company: dict[str, Any]) -> str:
    digest = hashlib.sha256(json.dumps(company, sort_keys=True, default=str).encode()).hexdigest()[:24]
    return f"company:{account_id}:{digest}"


class AccountChanged:
    """Inbox handler of ``salesforce.account``."""

    def __init__(self, salesforce: SalesforcePort, config: SyncConfig, clock: Clock) -> None:
        self.salesforce = salesforce
        self.config = config
        self.clock = clock
        self.fields = [f for f in source_fields(config.field_map, "company") if f != "Id"]

    async def __call__(self, session: Session, work: InboxWork) -> None:
        if self.config.marketo_crm_sync_enabled:
            COMPANY_SKIPS.labels("crm_sync_enabled").inc()
            return
        account_id = work.payload["record_id"]
        fields: dict[str, Any] = dict(work.payload.get("fields") or {})
        if work.payload.get("polled") and all(f in fields for f in self.fields):
            account: dict[str, Any] | None = fields
        else:
            account = await self.salesforce.get("Account", account_id, self.fields, priority=PRIORITY_SYNC)
        if account is None:
            return
        company = company_fields(self.config.field_map, {**account, "Id": account_id})
        enqueue(
            session,
            target="marketo",
            operation=kinds.OP_SYNC_COMPANY,
            idempotency_key=company_key(account_id, company),
            payload={"company": company},
            now=self.clock(),
        )
