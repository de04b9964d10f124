"""sObject Collections calls: create, update, upsert, delete and retrieve in chunks (reference/salesforce.md §4).

Each write method returns one ``RecordResult`` per input record in input order, including the records
of a chunk whose call failed (``call_failed``) and of the chunks after it (``not_sent``), so a batch
handler can settle every outbox message without re-deriving what happened.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Mapping, Sequence
from typing import Any

from sync.errors import SyncError
from sync.outbox import PRIORITY_SYNC
from sync.salesforce.collections import (
    COLLECTION_LIMIT,
    RETRIEVE_LIMIT,
    RecordResult,
    check_name,
    check_record_id,
    chunked,
    failed_chunk,
    parse_results,
    with_type,
)
from sync.salesforce.errors import unexpected_reply
from sync.salesforce.headers import AutoAssign, DuplicateRuleHeader, request_headers
from sync.salesforce.transport import SalesforceResponse, SalesforceTransport


class CollectionsMixin(SalesforceTransport):
    async def create_many(
        self,
        sobject: str,
        records: Sequence[Mapping[str, Any]],
        *,
        all_or_none: bool = False,
        auto_assign: AutoAssign | None = None,
        duplicate_rule: DuplicateRuleHeader | None = None,
        priority: int = PRIORITY_SYNC,
    ) -> list[RecordResult]:
        """Create in calls of 200; one ``RecordResult`` per input record, in input order."""
        check_name(sobject)
        bodies = [with_type(sobject, r, id_required=False) for r in records]
        return await self._collection(
            "POST",
            "composite/sobjects",
            bodies,
            "collections.create",
            all_or_none,
            priority,
            request_headers(auto_assign, duplicate_rule),
        )

    async def update_many(
        self,
        sobject: str,
        records: Sequence[Mapping[str, Any]],
        *,
        all_or_none: bool = False,
        auto_assign: AutoAssign = AutoAssign.FALSE,
        duplicate_rule: DuplicateRuleHeader | None = None,
        priority: int = PRIORITY_SYNC,
    ) -> list[RecordResult]:
        """Update in calls of 200; each record carries its ``Id``. Owners are kept unless told otherwise."""
        check_name(sobject)
        bodies = [with_type(sobject, r, id_required=True) for r in records]
        return await self._collection(
            "PATCH",
            "composite/sobjects",
            bodies,
            "collections.update",
            all_or_none,
            priority,
            request_headers(auto_assign, duplicate_rule),
        )

    async def upsert_many(
        self,
        sobject: str,
        external_id_field: str,
        records: Sequence[Mapping[str, Any]],
        *,
        all_or_none: bool = False,
        auto_assign: AutoAssign = AutoAssign.FALSE,
        priority: int = PRIORITY_SYNC,
    ) -> list[RecordResult]:
        """Upsert by external id in calls of 200 (each record carries the external id field)."""
        check_name(sobject)
        check_name(external_id_field, "field")
        for record in records:
            if record.get(external_id_field) in (None, ""):
                raise ValueError(f"every {sobject} record to upsert needs {external_id_field}")
        bodies = [with_type(sobject, r, id_required=False) for r in records]
        return await self._collection(
            "PATCH",
            f"composite/sobjects/{sobject}/{external_id_field}",
            bodies,
            "collections.upsert",
            all_or_none,
            priority,
            auto_assign.header(),
        )

    async def delete_many(
        self, ids: Sequence[str], *, all_or_none: bool = False, priority: int = PRIORITY_SYNC
    ) -> list[RecordResult]:
        checked = [check_record_id(i) for i in ids]
        flag = "true" if all_or_none else "false"

        def send(chunk: Sequence[str]) -> Awaitable[SalesforceResponse]:
            params = {"ids": ",".join(chunk), "allOrNone": flag}
            return self.request(
                "DELETE",
                "composite/sobjects",
                endpoint="collections.delete",
                priority=priority,
                params=params,
            )

        return await self._in_chunks(checked, "collections.delete", send)

    async def get_many(
        self, sobject: str, ids: Sequence[str], fields: Sequence[str], *, priority: int = PRIORITY_SYNC
    ) -> list[dict[str, Any] | None]:
        """Read up to 2000 records a call (POST form of the retrieve, §4); ``None`` where an id is not visible."""
        check_name(sobject)
        if not fields:
            raise ValueError("get_many needs the fields to read")
        checked = [check_record_id(i) for i in ids]
        field_names = [check_name(f, "field") for f in fields]
        records: list[dict[str, Any] | None] = []
        for _, chunk in chunked(checked, RETRIEVE_LIMIT):
            response = await self.request(
                "POST",
                f"composite/sobjects/{sobject}",
                endpoint="collections.retrieve",
                priority=priority,
                json_body={"ids": list(chunk), "fields": field_names},
            )
            body = response.body
            if not isinstance(body, list) or len(body) != len(chunk):
                raise unexpected_reply(body, context=f"retrieve {sobject}")
            records.extend(dict(r) if isinstance(r, Mapping) else None for r in body)
        return records

    async def _collection(
        self,
        method: str,
        path: str,
        bodies: list[dict[str, Any]],
        endpoint: str,
        all_or_none: bool,
        priority: int,
        headers: Mapping[str, str],
    ) -> list[RecordResult]:
        def send(chunk: Sequence[dict[str, Any]]) -> Awaitable[SalesforceResponse]:
            body = {"allOrNone": all_or_none, "records": list(chunk)}
            return self.request(
                method, path, endpoint=endpoint, priority=priority, json_body=body, headers=headers
            )

        return await self._in_chunks(bodies, endpoint, send)

    async def _in_chunks(
        self,
        items: Sequence[Any],
        endpoint: str,
        send: Callable[[Sequence[Any]], Awaitable[SalesforceResponse]],
    ) -> list[RecordResult]:
        """Send chunk after chunk; after a failed call the rest is reported ``not_sent`` with the same error."""
        results: list[RecordResult] = []
        failure: SyncError | None = None
        for offset, chunk in chunked(items, COLLECTION_LIMIT):
            if failure is not None:
                results.extend(failed_chunk(offset, len(chunk), failure, sent=False))
                continue
            try:
                response = await send(chunk)
            except SyncError as exc:
                failure = exc
                results.extend(failed_chunk(offset, len(chunk), exc, sent=True))
                continue
            results.extend(
                parse_results(
                    response.body, offset=offset, expected=len(chunk), context=endpoint, now=self._clock()
                )
            )
        return results
