"""Outbox handlers for Marketo writes: person updates, program membership, companies.

Payloads (all idempotent in Marketo, so a retry or a replay is harmless):

- ``marketo.lead.update``: the Sync Leads body, ``{"action": "updateOnly", "lookupField": "id",
  "input": [{"id": 1001, "leadStatus": "MQL", …}]}`` (reference/marketo.md §3). Batched: inputs of
  up to 300 messages with the same action and lookup field share calls.
- ``marketo.program_status``: ``{"program_id": 1044, "status": "Member", "lead_ids": [1001, …]}``
  → ``POST /rest/v1/programs/{id}/members/status.json`` (§5; adds non-members).
- ``marketo.program_remove``: ``{"program_id": 1011, "lead_ids": […]}`` → ``…/members/delete.json``.
- ``marketo.sync_company``: ``{"company": {"externalCompanyId": "001…", "company": "Acme", …}}``
  → ``POST /rest/v1/companies.json`` createOrUpdate by ``externalCompanyId`` (§6). Batched by 300.

A record skipped for a reason that means "nothing to do" is success: 1037 (already in or past the
status / not in the program). 1018 (native CRM sync makes companies read-only) is a clear ``skipped``
result, not a failure: nothing a retry or an operator could change.
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from typing import Any

from prometheus_client import Counter

from sync.errors import PermanentError, SyncError
from sync.outbox import PRIORITY_SYNC, OutboxWork, Outcome
from sync.ports import MarketoPort, RecordOutcome

log = logging.getLogger(__name__)

COMPANY_SKIPS = Counter(
    "handoff_company_sync_skipped_total", "Company upserts skipped, by reason", ["reason"]
)
NOTHING_TO_DO = {"1037"}
CRM_SYNC_ENABLED = "1018"
MAX_RECORDS = 300


def _message_outcome(outcomes: Sequence[RecordOutcome], what: str, tolerated: set[str]) -> Outcome:
    """One message's result from its records' outcomes: the call error, a permanent skip, or success."""
    for outcome in outcomes:
        if outcome.status == "failed" and outcome.error is not None:
            return outcome.error
    refused = [o for o in outcomes if o.status == "skipped" and o.code not in tolerated]
    if refused:
        details = "; ".join(f"{o.code} {o.message}" for o in refused[:5])
        first = refused[0].error
        if isinstance(first, SyncError) and first.error_class != "permanent":
            return first
        return PermanentError(
            f"Marketo refused {len(refused)} of {len(outcomes)} {what}: {details}", code=refused[0].code
        )
    return {
        "statuses": [o.status for o in outcomes],
        "ids": [o.id for o in outcomes],
        "skipped": [o.code for o in outcomes if o.status == "skipped"],
    }


class LeadUpdates:
    """Batch handler of ``marketo.lead.update``."""

    def __init__(self, marketo: MarketoPort) -> None:
        self.marketo = marketo

    async def __call__(self, works: Sequence[OutboxWork]) -> list[Outcome]:
        groups: dict[tuple[str, str], list[tuple[int, dict[str, Any]]]] = {}
        results: list[Outcome | None] = [None] * len(works)
        for index, work in enumerate(works):
            payload = work.payload
            inputs = payload.get("input")
            if not isinstance(inputs, list) or not inputs or not all(isinstance(i, dict) for i in inputs):
                results[index] = PermanentError("marketo.lead.update needs a non-empty input list of objects")
                continue
            key = (str(payload.get("action") or "updateOnly"), str(payload.get("lookupField") or "id"))
            groups.setdefault(key, []).extend((index, record) for record in inputs)
        per_message: dict[int, list[RecordOutcome]] = {}
        for (action, lookup_field), items in groups.items():
            outcomes = await self.marketo.sync_leads(
                [record for _, record in items],
                action=action,
                lookup_field=lookup_field,
                priority=PRIORITY_SYNC,
            )
            for (index, _), outcome in zip(items, outcomes, strict=True):
                per_message.setdefault(index, []).append(outcome)
        for index, outcomes in per_message.items():
            results[index] = _message_outcome(outcomes, "person updates", set())
        return results  # type: ignore[return-value]


def _lead_ids(payload: dict[str, Any]) -> list[int]:
    ids = payload.get("lead_ids")
    if (
        not isinstance(ids, list)
        or not ids
        or not all(isinstance(i, int) and not isinstance(i, bool) for i in ids)
    ):
        raise PermanentError("lead_ids must be a non-empty list of Marketo lead ids")
    return ids


class ProgramStatus:
    def __init__(self, marketo: MarketoPort) -> None:
        self.marketo = marketo

    async def __call__(self, work: OutboxWork) -> dict[str, Any]:
        payload = work.payload
        outcomes = await self.marketo.program_member_status(
            int(payload["program_id"]), str(payload["status"]), _lead_ids(payload), priority=PRIORITY_SYNC
        )
        result = _message_outcome(outcomes, "program members", NOTHING_TO_DO)
        if isinstance(result, BaseException):
            raise result
        return result


class ProgramRemove:
    def __init__(self, marketo: MarketoPort) -> None:
        self.marketo = marketo

    async def __call__(self, work: OutboxWork) -> dict[str, Any]:
        payload = work.payload
        outcomes = await self.marketo.program_member_delete(
            int(payload["program_id"]), _lead_ids(payload), priority=PRIORITY_SYNC
        )
        result = _message_outcome(outcomes, "program members", NOTHING_TO_DO)
        if isinstance(result, BaseException):
            raise result
        return result


class CompanyUpserts:
    """Batch handler of ``marketo.sync_company``."""

    def __init__(self, marketo: MarketoPort) -> None:
        self.marketo = marketo

    async def __call__(self, works: Sequence[OutboxWork]) -> list[Outcome]:
        results: list[Outcome] = [None] * len(works)
        valid: list[tuple[int, dict[str, Any]]] = []
        for index, work in enumerate(works):
            company = work.payload.get("company")
            if not isinstance(company, dict) or not company.get("externalCompanyId"):
                results[index] = PermanentError(f"company message {work.id} has no externalCompanyId")
            else:
                valid.append((index, company))
        if not valid:
            return results
        try:
            outcomes = await self.marketo.sync_companies(
                [company for _, company in valid],
                action="createOrUpdate",
                dedupe_by="dedupeFields",
                priority=PRIORITY_SYNC,
            )
        except SyncError as exc:
            # Whether Marketo answers 1018 for the call or per record is unverified (marketo.md §6): both count.
            if exc.code != CRM_SYNC_ENABLED:
                raise
            outcomes = [RecordOutcome("skipped", code=CRM_SYNC_ENABLED, message=exc.message)] * len(valid)
        for (index, _), outcome in zip(valid, outcomes, strict=True):
            crm_sync = CRM_SYNC_ENABLED in (outcome.code, getattr(outcome.error, "code", None))
            if outcome.status in ("skipped", "failed") and crm_sync:
                COMPANY_SKIPS.labels("crm_sync_enabled").inc()
                results[index] = {
                    "status": "skipped",
                    "reason": "crm_sync_enabled",
                    "detail": "Marketo's native CRM sync makes companies read-only (1018); nothing written.",
                }
            else:
                results[index] = _message_outcome([outcome], "companies", set())
        return results
