"""sObject Collections: 200 records a call, one result per record (reference/salesforce.md §4). Pure.

A collection call answers ``200`` even when records fail, with an array in input order whose failures
carry ``statusCode`` (not ``errorCode``). ``RecordResult`` turns each entry into a classified error the
caller can hand straight to the outbox, so a partial failure is never mistaken for success.
"""

from __future__ import annotations

import re
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sync.errors import PermanentError, SyncError
from sync.salesforce.errors import SYSTEM, ErrorDetail, error_from_details, parse_error_entries

COLLECTION_LIMIT = 200
RETRIEVE_LIMIT = 2000
_NAME = re.compile(r"^[A-Za-z][A-Za-z0-9_]*$")
_RECORD_ID = re.compile(r"^[A-Za-z0-9]{15}(?:[A-Za-z0-9]{3})?$")


@dataclass(frozen=True)
class RecordResult:
    """What happened to the record at ``index`` of the caller's input.

    ``status`` is ``ok``, ``failed`` (Salesforce refused this record: see ``errors``), ``call_failed``
    (the whole call failed: ``error`` says why) or ``not_sent`` (an earlier chunk failed, so this one was
    not attempted and carries the same error).
    """

    index: int
    status: str
    id: str | None = None
    created: bool | None = None
    errors: tuple[ErrorDetail, ...] = ()
    error: SyncError | None = None

    @property
    def success(self) -> bool:
        return self.status == "ok"


def check_name(name: str, what: str = "sObject") -> str:
    if not _NAME.match(name):
        raise ValueError(f"not a valid {what} API name: {name!r}")
    return name


def check_record_id(record_id: str) -> str:
    if not isinstance(record_id, str) or not _RECORD_ID.match(record_id):
        raise ValueError(f"not a Salesforce record id (15 or 18 alphanumeric chars): {record_id!r}")
    return record_id


def chunked(items: Sequence[Any], size: int) -> Iterator[tuple[int, Sequence[Any]]]:
    """``(offset, chunk)`` pairs so that results can be mapped back to the caller's indexes."""
    for offset in range(0, len(items), size):
        yield offset, items[offset : offset + size]


def with_type(sobject: str, record: Mapping[str, Any], *, id_required: bool) -> dict[str, Any]:
    """A collection record: ``attributes.type`` plus the fields; updates need the record id as ``id``."""
    body = {k: v for k, v in record.items() if k not in ("attributes", "Id", "id")}
    record_id = record.get("id", record.get("Id"))
    if id_required:
        if record_id is None:
            raise ValueError(f"every {sobject} record to update needs its Id")
        body["id"] = check_record_id(str(record_id))
    elif record_id is not None:
        raise ValueError(f"a {sobject} record to create must not carry an Id ({record_id})")
    return {"attributes": {"type": sobject}, **body}


def parse_results(
    body: Any, *, offset: int, expected: int, context: str, now: datetime
) -> list[RecordResult]:
    """Map one collection reply onto the chunk's records; a reply of the wrong shape fails the whole chunk."""
    if not isinstance(body, list) or len(body) != expected:
        size = len(body) if isinstance(body, list) else type(body).__name__
        error = PermanentError(
            f"Salesforce {context}: expected {expected} results, got {size}",
            code="INVALID_BODY",
            system=SYSTEM,
        )
        return [RecordResult(offset + i, "call_failed", error=error) for i in range(expected)]
    results = []
    for position, entry in enumerate(body):
        index = offset + position
        if not isinstance(entry, Mapping):
            error = PermanentError(
                f"Salesforce {context}: result {index} is not an object", code="INVALID_BODY", system=SYSTEM
            )
            results.append(RecordResult(index, "failed", error=error))
            continue
        created = entry.get("created")
        if entry.get("success") is True:
            results.append(
                RecordResult(
                    index, "ok", id=entry.get("id"), created=created if isinstance(created, bool) else None
                )
            )
            continue
        details = parse_error_entries(entry.get("errors"))
        if not details:
            details = [ErrorDetail(code="UNKNOWN", message="record failed without an error entry")]
        error = error_from_details(details, status=None, context=f"{context} record {index}", now=now)
        results.append(RecordResult(index, "failed", id=entry.get("id"), errors=tuple(details), error=error))
    return results


def failed_chunk(offset: int, size: int, error: SyncError, *, sent: bool) -> list[RecordResult]:
    status = "call_failed" if sent else "not_sent"
    return [RecordResult(offset + i, status, error=error) for i in range(size)]
