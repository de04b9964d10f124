"""Lead reads and writes (reference/marketo.md §3): Sync Leads in chunks, reads by filter in chunks of 300.

Input is checked before the first call (action, lookup field in every record, ``id`` only with
updateOnly, partition only where allowed, ASCII emails), so bad input fails with a clear ``ValueError``
and nothing is half-sent.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

import httpx

from sync.errors import PermanentError
from sync.marketo.batching import MAX_RECORDS, split_values
from sync.marketo.errors import SYSTEM
from sync.marketo.results import RecordOutcome
from sync.marketo.transport import MarketoTransport
from sync.outbox import PRIORITY_SYNC

ACTIONS = ("createOnly", "updateOnly", "createOrUpdate", "createDuplicate")
# Past this the URI limit (8 KB, answered with 414) is near: send the read as POST with _method=GET (§3).
MAX_QUERY_CHARS = 7000


def _check_upsert(
    leads: Sequence[Mapping[str, Any]], action: str, lookup_field: str, partition_name: str | None
) -> None:
    if action not in ACTIONS:
        raise ValueError(f"action must be one of {', '.join(ACTIONS)}, not {action!r}")
    if partition_name is not None and action not in ("createOnly", "createOrUpdate"):
        raise ValueError("partitionName is only allowed with createOnly or createOrUpdate")
    for index, lead in enumerate(leads):
        if not isinstance(lead, Mapping):
            raise ValueError(f"lead {index} is not a mapping of field names to values")
        if lead.get(lookup_field) in (None, ""):
            raise ValueError(
                f"lead {index} has no {lookup_field!r}: the lookup field must be in every record"
            )
        if "id" in lead and action != "updateOnly":
            raise ValueError(f"lead {index} carries an id: ids are only accepted with action updateOnly")
        email = lead.get("email")
        if isinstance(email, str) and not email.isascii():
            raise ValueError(f"lead {index}: Marketo only accepts ASCII email addresses")


def _key(lookup_field: str) -> Any:
    def key(lead: Mapping[str, Any]) -> Any:
        value = lead[lookup_field]
        return value.lower() if isinstance(value, str) else value

    return key


class LeadsMixin(MarketoTransport):
    async def upsert_leads(
        self,
        leads: Sequence[Mapping[str, Any]],
        *,
        action: str = "createOrUpdate",
        lookup_field: str = "email",
        partition_name: str | None = None,
        priority: int = PRIORITY_SYNC,
    ) -> list[RecordOutcome]:
        """Sync Leads (``POST /rest/v1/leads.json``) in as few calls as 300 records and 1 MB allow.

        One outcome per input lead, in input order: ``created``/``updated`` with the lead id, or a
        ``skipped`` with its reasons and classified ``error`` (1004 not found, 1005 exists, 1007 several
        match, …). Two leads with the same lookup value go in successive calls, never the same one.
        """
        _check_upsert(leads, action, lookup_field, partition_name)
        body: dict[str, Any] = {"action": action, "lookupField": lookup_field}
        if partition_name is not None:
            body["partitionName"] = partition_name
        return await self.write_records(
            "/rest/v1/leads.json",
            leads,
            body,
            endpoint="leads.sync",
            priority=priority,
            key=_key(lookup_field),
        )

    async def delete_leads(
        self, lead_ids: Sequence[int], *, priority: int = PRIORITY_SYNC
    ) -> list[RecordOutcome]:
        ids = [_lead_id(i) for i in lead_ids]
        return await self.write_records(
            "/rest/v1/leads/delete.json",
            [{"id": i} for i in ids],
            {},
            endpoint="leads.delete",
            priority=priority,
        )

    async def get_lead(
        self, lead_id: int, fields: Sequence[str] | None = None, *, priority: int = PRIORITY_SYNC
    ) -> dict[str, Any] | None:
        """One lead by id, or None if Marketo has none; omitted fields are null (§3)."""
        params = {"fields": ",".join(fields)} if fields else None
        envelope = await self.call(
            "GET",
            f"/rest/v1/lead/{_lead_id(lead_id)}.json",
            endpoint="lead.get",
            priority=priority,
            params=params,
        )
        if not envelope.result:
            return None
        record = envelope.result[0]
        if not isinstance(record, Mapping):
            raise PermanentError(
                f"Marketo lead.get: result is not a lead record: {record!r}"[:300],
                code="MALFORMED_ENVELOPE",
                request_id=envelope.request_id,
                system=SYSTEM,
            )
        return dict(record)

    async def get_leads(
        self,
        filter_type: str,
        values: Sequence[str | int],
        fields: Sequence[str] | None = None,
        *,
        priority: int = PRIORITY_SYNC,
    ) -> list[dict[str, Any]]:
        """Every lead matching any of ``values`` of ``filter_type`` (an id, email, sfdc id… field).

        300 values a call; a call whose URL would approach 8 KB is sent as ``POST ?_method=GET`` with a
        form body (§3). More than 1000 matches for one call is Marketo's 1003 (permanent).
        """
        if not filter_type:
            raise ValueError("filter_type is required")
        cleaned = [str(v) for v in values if str(v).strip()]
        if len(cleaned) != len(values):
            raise ValueError("filter values must not be empty")
        leads: list[dict[str, Any]] = []
        for chunk in split_values(cleaned):
            params: dict[str, str] = {"filterType": filter_type, "filterValues": ",".join(chunk)}
            if fields:
                params["fields"] = ",".join(fields)
            leads.extend(await self._read_pages(params, priority))
        return leads

    async def get_leads_by_id(
        self, lead_ids: Sequence[int], fields: Sequence[str] | None = None, *, priority: int = PRIORITY_SYNC
    ) -> list[dict[str, Any]]:
        return await self.get_leads("id", [_lead_id(i) for i in lead_ids], fields, priority=priority)

    async def _read_pages(self, params: dict[str, str], priority: int) -> list[dict[str, Any]]:
        records: list[dict[str, Any]] = []
        seen_tokens: set[str] = set()
        while True:
            if len(str(httpx.QueryParams(params))) > MAX_QUERY_CHARS:
                envelope = await self.call(
                    "POST",
                    "/rest/v1/leads.json",
                    endpoint="leads.get",
                    priority=priority,
                    params={"_method": "GET"},
                    form=params,
                )
            else:
                envelope = await self.call(
                    "GET", "/rest/v1/leads.json", endpoint="leads.get", priority=priority, params=params
                )
            records.extend(dict(r) for r in envelope.result if isinstance(r, Mapping))
            token = envelope.next_page_token
            if not token or token in seen_tokens or len(envelope.result) < MAX_RECORDS:
                return records
            seen_tokens.add(token)
            params = {**params, "nextPageToken": token}


def _lead_id(value: Any) -> int:
    if isinstance(value, bool) or not isinstance(value, int) or value <= 0:
        raise ValueError(f"a Marketo lead id is a positive integer, not {value!r}")
    return value
