"""In-memory twins of the Marketo and Salesforce ports, for flow tests that need no wire format.

They keep the behaviours the flows rely on (paging tokens and ``moreResult``, per-record outcomes,
program status steps, a Lead's owner set by an assignment rule) and nothing else; the end-to-end tests
run the same flows against the sandboxes over loopback.
"""

from __future__ import annotations

import itertools
from collections.abc import AsyncIterator, Callable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from sync.errors import RetryableError
from sync.ports import ActivityPage, RecordOutcome


@dataclass
class MarketoTwin:
    people: dict[int, dict[str, Any]] = field(default_factory=dict)
    log: list[dict[str, Any]] = field(default_factory=list)  # the activity log, oldest first
    members: dict[int, dict[int, str]] = field(default_factory=dict)  # program -> lead -> status
    companies: dict[str, dict[str, Any]] = field(default_factory=dict)
    page_size: int = 2
    calls: list[str] = field(default_factory=list)
    fail_on_call: int | None = None  # the n-th call (1-based) raises a retryable 604
    _ids: itertools.count = field(default_factory=lambda: itertools.count(1000))

    def _call(self, name: str) -> None:
        self.calls.append(name)
        if self.fail_on_call is not None and len(self.calls) == self.fail_on_call:
            raise RetryableError("Marketo 604 timed out", code="604")

    def add_activity(self, lead_id: int, type_id: int, **extra: Any) -> dict[str, Any]:
        number = next(self._ids)
        activity = {"id": number, "marketoGUID": str(number), "leadId": lead_id, "activityTypeId": type_id}
        activity.update(extra)
        self.log.append(activity)
        return activity

    async def paging_token(self, since: datetime, *, priority: int) -> str:
        self._call("pagingtoken")
        return "pos:0"

    async def _page(self, token: str, keep: Callable[[dict[str, Any]], bool]) -> ActivityPage:
        position = int(token.split(":")[1])
        window = self.log[position : position + self.page_size]
        new_position = position + len(window)
        chosen = [a for a in window if keep(a)]
        return ActivityPage(chosen, f"pos:{new_position}", new_position < len(self.log))

    async def activities(
        self, type_ids: Sequence[int], next_page_token: str, *, priority: int
    ) -> ActivityPage:
        self._call("activities")
        return await self._page(next_page_token, lambda a: a["activityTypeId"] in type_ids)

    async def lead_changes(
        self, fields: Sequence[str], next_page_token: str, *, priority: int
    ) -> ActivityPage:
        self._call("leadchanges")
        return await self._page(next_page_token, lambda a: a["activityTypeId"] in (12, 13))

    async def get_leads(
        self, filter_type: str, values: Sequence[str | int], fields: Sequence[str], *, priority: int
    ) -> list[dict[str, Any]]:
        self._call("leads")
        wanted = {str(v).lower() for v in values}
        found = []
        for lead_id, person in self.people.items():
            value = lead_id if filter_type == "id" else person.get(filter_type)
            if value is not None and str(value).lower() in wanted:
                found.append({"id": lead_id, **{f: person.get(f) for f in fields if f in person}})
        return found

    async def sync_leads(
        self, records: Sequence[Mapping[str, Any]], *, action: str, lookup_field: str, priority: int
    ) -> list[RecordOutcome]:
        self._call("sync_leads")
        outcomes = []
        for record in records:
            key = record.get(lookup_field)
            match = [
                i
                for i, p in self.people.items()
                if (i if lookup_field == "id" else p.get(lookup_field)) == key
            ]
            if match:
                self.people[match[0]].update({k: v for k, v in record.items() if k != "id"})
                outcomes.append(RecordOutcome("updated", match[0]))
            elif action == "updateOnly":
                outcomes.append(RecordOutcome("skipped", code="1004", message="Lead not found"))
            else:
                new_id = next(self._ids)
                self.people[new_id] = dict(record)
                outcomes.append(RecordOutcome("created", new_id))
        return outcomes

    async def program_member_status(
        self, program_id: int, status_name: str, lead_ids: Sequence[int], *, priority: int
    ) -> list[RecordOutcome]:
        self._call("members_status")
        program = self.members.setdefault(program_id, {})
        outcomes = []
        for lead_id in lead_ids:
            if program.get(lead_id) == status_name:
                outcomes.append(
                    RecordOutcome("skipped", code="1037", message="already in or past this status")
                )
                continue
            outcomes.append(RecordOutcome("updated" if lead_id in program else "created", lead_id))
            program[lead_id] = status_name
        return outcomes

    async def program_member_delete(
        self, program_id: int, lead_ids: Sequence[int], *, priority: int
    ) -> list[RecordOutcome]:
        self._call("members_delete")
        program = self.members.setdefault(program_id, {})
        outcomes = []
        for lead_id in lead_ids:
            if program.pop(lead_id, None) is None:
                outcomes.append(RecordOutcome("skipped", code="1037", message="Lead not in program"))
            else:
                outcomes.append(RecordOutcome("deleted", lead_id))
        return outcomes

    async def sync_companies(
        self, records: Sequence[Mapping[str, Any]], *, action: str, dedupe_by: str, priority: int
    ) -> list[RecordOutcome]:
        self._call("companies")
        outcomes = []
        for record in records:
            key = str(record["externalCompanyId"])
            status = "updated" if key in self.companies else "created"
            self.companies.setdefault(key, {}).update(record)
            outcomes.append(RecordOutcome(status, key))
        return outcomes


@dataclass
class SalesforceTwin:
    """Records by id; ``query`` answers with a caller-supplied function of the SOQL text."""

    records: dict[str, dict[str, Any]] = field(default_factory=dict)
    answer: Callable[[str, dict[str, dict[str, Any]]], list[dict[str, Any]]] | None = None
    calls: list[str] = field(default_factory=list)
    queries: list[str] = field(default_factory=list)
    _ids: itertools.count = field(default_factory=lambda: itertools.count(1))

    async def get(
        self, sobject: str, record_id: str, fields: Sequence[str], *, priority: int
    ) -> dict[str, Any] | None:
        self.calls.append(f"get {sobject}")
        record = self.records.get(record_id)
        return {f: record.get(f) for f in ("Id", *fields)} if record else None

    async def query(self, soql: str, *, priority: int) -> AsyncIterator[dict[str, Any]]:
        self.calls.append("query")
        self.queries.append(soql)
        for record in (self.answer or (lambda _q, _r: []))(soql, self.records):
            yield record

    async def create(
        self, sobject: str, fields: Mapping[str, Any], *, auto_assign: str | None, priority: int
    ) -> str:
        self.calls.append(f"create {sobject}")
        prefix = {"Lead": "00Q", "Task": "00T", "Contact": "003"}.get(sobject, "001")
        record_id = f"{prefix}{next(self._ids):012d}AAA"
        self.records[record_id] = {"Id": record_id, "attributes": {"type": sobject}, **fields}
        return record_id

    async def update(
        self, sobject: str, record_id: str, fields: Mapping[str, Any], *, auto_assign: str, priority: int
    ) -> None:
        self.calls.append(f"update {sobject}")
        self.records[record_id].update(fields)

    async def create_many(
        self, sobject: str, records: Sequence[Mapping[str, Any]], *, priority: int
    ) -> list[RecordOutcome]:
        self.calls.append(f"create_many {sobject}")
        outcomes = []
        for record in records:
            record_id = await self.create(sobject, record, auto_assign=None, priority=priority)
            self.calls.pop()
            outcomes.append(RecordOutcome("created", record_id))
        return outcomes
