"""Turn Salesforce error bodies into the four error classes of ``sync.errors`` (pure: bytes in, exception out).

Salesforce answers a failed single-record call with a JSON **array** of ``{message, errorCode, fields}``
and reports per-record failures inside a collection with ``statusCode`` instead (reference/salesforce.md
§2, §4). Both end up here so that no other module ever reads an error array. Anything that is not such a
body (an HTML page from a proxy, a truncated reply) still becomes a typed error with a clear message.

Salesforce bodies carry no request id; messages name the call (method and path) instead.
"""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

import httpx

from sync.errors import AuthError, PermanentError, QuotaError, RetryableError, SyncError

SYSTEM = "salesforce"

# Transient by nature: the same request succeeds a moment later (reference §2, §11).
RETRYABLE_CODES = frozenset({"UNABLE_TO_LOCK_ROW", "SERVER_UNAVAILABLE", "ALL_OR_NONE_OPERATION_ROLLED_BACK"})
# The integration user or its token cannot do this; a person has to fix the org or the connected app.
AUTH_CODES = frozenset(
    {"INVALID_SESSION_ID", "INSUFFICIENT_ACCESS", "INSUFFICIENT_ACCESS_OR_READONLY", "API_DISABLED_FOR_ORG"}
)
RETRYABLE_STATUSES = frozenset({500, 502, 503, 504})

# Salesforce does not say when a rolling 24 h allocation frees up; look again after this long.
QUOTA_RECHECK = timedelta(hours=1)
CONCURRENCY_BACKOFF_SECONDS = 30.0


@dataclass(frozen=True)
class ErrorDetail:
    """One entry of a Salesforce error array (``errorCode``) or of a collection result (``statusCode``)."""

    code: str
    message: str
    fields: tuple[str, ...] = ()
    duplicate_ids: tuple[str, ...] = ()


class SalesforceNotFound(PermanentError):
    """404 ``NOT_FOUND`` / ``ENTITY_IS_DELETED``: the record is gone or the id (or ext-id field) is wrong."""


class SalesforceDuplicatesDetected(PermanentError):
    """400 ``DUPLICATES_DETECTED``: a duplicate rule blocked the save; ``duplicate_ids`` are the matches (§2)."""

    def __init__(self, message: str, *, duplicate_ids: Sequence[str] = (), **kwargs: Any) -> None:
        super().__init__(message, **kwargs)
        self.duplicate_ids = tuple(duplicate_ids)


class SalesforceMultipleMatches(PermanentError):
    """300 on upsert: the external id matches several records; ``urls`` lists them (§2)."""

    def __init__(self, message: str, *, urls: Sequence[str] = (), **kwargs: Any) -> None:
        super().__init__(message, **kwargs)
        self.urls = tuple(urls)


def _duplicate_ids(entry: Mapping[str, Any]) -> tuple[str, ...]:
    result = entry.get("duplicateResult")
    if not isinstance(result, Mapping):
        return ()
    ids: list[str] = []
    for match in result.get("matchResults") or ():
        for record in (match or {}).get("matchRecords") or ():
            record_id = ((record or {}).get("record") or {}).get("Id")
            if isinstance(record_id, str):
                ids.append(record_id)
    return tuple(ids)


def parse_error_entries(entries: Any) -> list[ErrorDetail]:
    """Read an error array; entries use ``errorCode`` (single record) or ``statusCode`` (collections)."""
    if not isinstance(entries, list):
        return []
    details = []
    for entry in entries:
        if not isinstance(entry, Mapping):
            continue
        code = entry.get("errorCode") or entry.get("statusCode")
        if not isinstance(code, str):
            continue
        fields = entry.get("fields") or ()
        details.append(
            ErrorDetail(
                code=code,
                message=str(entry.get("message") or ""),
                fields=tuple(str(f) for f in fields) if isinstance(fields, list) else (),
                duplicate_ids=_duplicate_ids(entry),
            )
        )
    return details


def _describe(details: Sequence[ErrorDetail]) -> str:
    parts = []
    for detail in details:
        text = f"{detail.code}: {detail.message}"
        if detail.fields:
            text += f" [fields: {', '.join(detail.fields)}]"
        parts.append(text)
    return "; ".join(parts)


def error_from_details(
    details: Sequence[ErrorDetail], *, status: int | None, context: str, now: datetime
) -> SyncError:
    """Classify by the first error code; the message keeps every entry so nothing is hidden."""
    first = details[0]
    message = f"Salesforce {context}: {_describe(details)}"
    common: dict[str, Any] = {"code": first.code, "system": SYSTEM}
    if first.code == "REQUEST_LIMIT_EXCEEDED":
        # One code, two limits (§9): the daily allocation (wait) or concurrent long requests (back off).
        if "concurrent" in first.message.lower():
            return RetryableError(message, retry_after_seconds=CONCURRENCY_BACKOFF_SECONDS, **common)
        return QuotaError(message, resume_at=now + QUOTA_RECHECK, **common)
    if first.code in RETRYABLE_CODES:
        return RetryableError(message, **common)
    if first.code in AUTH_CODES or status in (401, 403):
        return AuthError(message, **common)
    if first.code in ("NOT_FOUND", "ENTITY_IS_DELETED") or status == 404:
        return SalesforceNotFound(message, **common)
    if first.code == "DUPLICATES_DETECTED":
        ids = tuple(i for d in details for i in d.duplicate_ids)
        return SalesforceDuplicatesDetected(message, duplicate_ids=ids, **common)
    if status in RETRYABLE_STATUSES:
        return RetryableError(message, **common)
    return PermanentError(message, **common)


def _snippet(body: bytes, limit: int = 200) -> str:
    text = body[:limit].decode("utf-8", errors="replace")
    return " ".join(text.split()) + ("…" if len(body) > limit else "")


def error_from_response(
    status: int, body: bytes, content_type: str, *, context: str, now: datetime
) -> SyncError:
    """Classify a non-2xx REST response, whatever its body looks like."""
    try:
        parsed = json.loads(body) if body else None
    except ValueError:
        parsed = None
        kind = "an HTML page" if "html" in content_type.lower() else "a body that is not JSON"
        message = f"Salesforce {context}: HTTP {status} with {kind}: {_snippet(body)!r}"
    else:
        if status == 300 and isinstance(parsed, list) and all(isinstance(u, str) for u in parsed):
            return SalesforceMultipleMatches(
                f"Salesforce {context}: the external id matches {len(parsed)} records",
                urls=parsed,
                code="MULTIPLE_CHOICES",
                system=SYSTEM,
            )
        details = parse_error_entries(parsed)
        if details:
            return error_from_details(details, status=status, context=context, now=now)
        message = f"Salesforce {context}: HTTP {status} without an error array: {_snippet(body)!r}"
    common: dict[str, Any] = {"code": f"HTTP_{status}", "system": SYSTEM}
    if status in RETRYABLE_STATUSES:
        return RetryableError(message, **common)
    if status == 401:
        return AuthError(message, **common)
    if status == 404:
        return SalesforceNotFound(message, **common)
    return PermanentError(message, **common)


def invalid_body_error(body: bytes, *, context: str) -> RetryableError:
    """A 2xx reply that is not the JSON we expect (truncated, or a proxy page): retry, bounded by the outbox."""
    return RetryableError(
        f"Salesforce {context}: successful status but unreadable body: {_snippet(body)!r}",
        code="INVALID_BODY",
        system=SYSTEM,
    )


def unexpected_reply(body: Any, *, context: str) -> RetryableError:
    """A 2xx JSON reply of the wrong shape (e.g. a proxy's own JSON): retry, bounded by the outbox."""
    text = json.dumps(body, default=str)
    return invalid_body_error(text.encode("utf-8"), context=context)


def transport_error(exc: httpx.TransportError, *, context: str) -> RetryableError:
    """No HTTP answer: a timeout (the request may have been carried out) or a failed connection."""
    if isinstance(exc, httpx.TimeoutException):
        return RetryableError(f"Salesforce {context}: timed out", code="TIMEOUT", system=SYSTEM)
    return RetryableError(
        f"Salesforce {context}: connection failed ({type(exc).__name__})", code="CONNECTION", system=SYSTEM
    )
