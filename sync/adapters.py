"""The real clients (``sync.salesforce``, ``sync.marketo``) seen through the flows' ports (``sync.ports``).

Thin on purpose: names and result shapes change here, behaviour does not. A Salesforce 404 on a single
record becomes ``None`` (a deleted record is a normal answer for a flow that re-reads what an Outbound
Message announced); per-record results of both systems become ``RecordOutcome`` values.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Mapping, Sequence
from datetime import datetime
from typing import Any

from sync.marketo import MarketoClient
from sync.marketo import RecordOutcome as MarketoOutcome
from sync.marketo.activities import ActivityPage as MarketoPage
from sync.ports import ActivityPage, RecordOutcome
from sync.salesforce import AutoAssign, RecordResult, SalesforceClient, SalesforceNotFound


def _from_salesforce(result: RecordResult) -> RecordOutcome:
    if result.success:
        return RecordOutcome("created" if result.created is not False else "updated", result.id)
    if result.status == "failed":
        first = result.errors[0] if result.errors else None
        return RecordOutcome(
            "skipped",
            result.id,
            code=first.code if first else None,
            message=first.message if first else None,
            error=result.error,
        )
    return RecordOutcome("failed", error=result.error)


def _from_marketo(outcome: MarketoOutcome) -> RecordOutcome:
    if outcome.ok:
        return RecordOutcome(outcome.status, outcome.id)
    if outcome.status in ("call_failed", "not_sent"):
        return RecordOutcome("failed", error=outcome.error)
    first = outcome.reasons[0] if outcome.reasons else None
    return RecordOutcome(
        "skipped",
        outcome.id,
        code=first.code if first else None,
        message=first.message if first else None,
        error=outcome.error,
    )


def _page(page: MarketoPage) -> ActivityPage:
    return ActivityPage(
        [dict(activity.raw) for activity in page.activities],
        page.next_page_token,
        page.more_result,
        rejected=len(page.rejected),
    )


class SalesforceAdapter:
    def __init__(self, client: SalesforceClient) -> None:
        self.client = client

    async def get(
        self, sobject: str, record_id: str, fields: Sequence[str], *, priority: int
    ) -> dict[str, Any] | None:
        try:
            return await self.client.get(sobject, record_id, ["Id", *fields], priority=priority)
        except SalesforceNotFound:
            return None

    def query(self, soql: str, *, priority: int) -> AsyncIterator[dict[str, Any]]:
        return self.client.query(soql, priority=priority)

    async def create(
        self, sobject: str, fields: Mapping[str, Any], *, auto_assign: str | None, priority: int
    ) -> str:
        header = AutoAssign(auto_assign) if auto_assign else None
        return await self.client.create(sobject, fields, auto_assign=header, priority=priority)

    async def update(
        self, sobject: str, record_id: str, fields: Mapping[str, Any], *, auto_assign: str, priority: int
    ) -> None:
        await self.client.update(
            sobject, record_id, fields, auto_assign=AutoAssign(auto_assign), priority=priority
        )

    async def create_many(
        self, sobject: str, records: Sequence[Mapping[str, Any]], *, priority: int
    ) -> list[RecordOutcome]:
        results = await self.client.create_many(sobject, records, priority=priority)
        return [_from_salesforce(result) for result in results]


class MarketoAdapter:
    def __init__(self, client: MarketoClient) -> None:
        self.client = client

    async def get_leads(
        self, filter_type: str, values: Sequence[str | int], fields: Sequence[str], *, priority: int
    ) -> list[dict[str, Any]]:
        if not values:
            return []
        return await self.client.get_leads(filter_type, values, fields, priority=priority)

    async def sync_leads(
        self, records: Sequence[Mapping[str, Any]], *, action: str, lookup_field: str, priority: int
    ) -> list[RecordOutcome]:
        outcomes = await self.client.upsert_leads(
            records, action=action, lookup_field=lookup_field, priority=priority
        )
        return [_from_marketo(outcome) for outcome in outcomes]

    async def paging_token(self, since: datetime, *, priority: int) -> str:
        return await self.client.get_paging_token(since, priority=priority)

    async def activities(
        self, type_ids: Sequence[int], next_page_token: str, *, priority: int
    ) -> ActivityPage:
        async for page in self.client.activity_pages(
            type_ids, next_page_token=next_page_token, max_pages=1, priority=priority
        ):
            return _page(page)
        raise RuntimeError("activities.json returned no page")

    async def lead_changes(
        self, fields: Sequence[str], next_page_token: str, *, priority: int
    ) -> ActivityPage:
        async for page in self.client.lead_change_pages(
            fields, next_page_token=next_page_token, max_pages=1, priority=priority
        ):
            return _page(page)
        raise RuntimeError("leadchanges.json returned no page")

    async def program_member_status(
        self, program_id: int, status_name: str, lead_ids: Sequence[int], *, priority: int
    ) -> list[RecordOutcome]:
        outcomes = await self.client.set_program_member_status(
            program_id, status_name, lead_ids, priority=priority
        )
        return [_from_marketo(outcome) for outcome in outcomes]

    async def program_member_delete(
        self, program_id: int, lead_ids: Sequence[int], *, priority: int
    ) -> list[RecordOutcome]:
        outcomes = await self.client.delete_program_members(program_id, lead_ids, priority=priority)
        return [_from_marketo(outcome) for outcome in outcomes]

    async def sync_companies(
        self, records: Sequence[Mapping[str, Any]], *, action: str, dedupe_by: str, priority: int
    ) -> list[RecordOutcome]:
        outcomes = await self.client.sync_companies(
            records, action=action, dedupe_by=dedupe_by, priority=priority
        )
        return [_from_marketo(outcome) for outcome in outcomes]
