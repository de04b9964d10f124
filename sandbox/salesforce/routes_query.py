"""SOQL over REST: ``/query`` and ``/queryAll`` with paging through ``nextRecordsUrl``.

Reference §3: a response is ``{totalSize, done, nextRecordsUrl?, records}``; pages hold 2,000 rows by
default, or what ``Sforce-Query-Options: batchSize=n`` asks (200 to 2,000); the locator is ``<id>-<offset>``
(``01g…-2000``) and is fetched with a plain GET; the last page has ``done: true`` and no
``nextRecordsUrl``. ``queryAll`` also returns deleted records. The rows of one query are fixed when it
runs (a cursor), so later pages do not shift as records change; cursors expire after 15 idle minutes.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from fastapi import APIRouter
from fastapi.responses import Response

from sandbox.salesforce import errors, ids
from sandbox.salesforce.rest import ApiCall, ApiCallDep, check_version, json_response
from sandbox.salesforce.soql import CompiledQuery, QueryContext, parse
from sandbox.salesforce.soql.dates import zone_of

router = APIRouter(prefix="/services/data/v{version}")

DEFAULT_BATCH = 2000
MIN_BATCH = 200
CURSOR_IDLE = timedelta(minutes=15)


@dataclass
class QueryCursor:
    rows: list[dict[str, Any]]
    batch_size: int
    endpoint: str
    last_used_at: datetime
    user_id: str


def batch_size(header: str | None) -> int:
    """``batchSize`` from ``Sforce-Query-Options``, clamped to 200 to 2,000; anything unreadable means 2,000."""
    if not header:
        return DEFAULT_BATCH
    for part in header.split(","):
        key, _, value = part.partition("=")
        if key.strip().lower() == "batchsize" and value.strip().isdigit():
            return max(MIN_BATCH, min(DEFAULT_BATCH, int(value.strip())))
    return DEFAULT_BATCH


def _page(call: ApiCall, locator: str, cursor: QueryCursor, offset: int, total: int) -> dict[str, Any]:
    end = offset + cursor.batch_size
    page: dict[str, Any] = {"totalSize": total, "done": end >= len(cursor.rows)}
    if end < len(cursor.rows):
        page["nextRecordsUrl"] = f"/services/data/v{call.version}/{cursor.endpoint}/{locator}-{end}"
    page["records"] = cursor.rows[offset:end]
    return page


def _cursors(call: ApiCall) -> dict[str, QueryCursor]:
    cursors: dict[str, QueryCursor] = call.state.query_cursors
    for key in [k for k, c in cursors.items() if call.now - c.last_used_at > CURSOR_IDLE]:
        del cursors[key]
    return cursors


def _run(call: ApiCall, q: str | None, *, include_deleted: bool) -> Response:
    check_version(call.version)
    if q is None:
        raise errors.ApiError(400, "MALFORMED_QUERY", "A query string has to be specified")
    compiled = CompiledQuery(parse(q), call.state.schema)
    state = call.state
    with state.lock:
        user = state.store.get(call.user_id) or {}
        context = QueryContext(
            state.store, call.now, zone_of(user.get("TimeZoneSidKey")), call.version, include_deleted
        )
        result = compiled.run(context)
        if compiled.query.count_only:
            return json_response({"totalSize": result.total_size, "done": True, "records": []})
        endpoint = "queryAll" if include_deleted else "query"
        cursor = QueryCursor(
            result.records, batch_size(call.header("Sforce-Query-Options")), endpoint, call.now, call.user_id
        )
        locator = state.ids.for_object("QueryLocator")
        if len(result.records) > cursor.batch_size:
            _cursors(call)[locator] = cursor
        return json_response(_page(call, locator, cursor, 0, result.total_size))


def _more(call: ApiCall, locator_and_offset: str) -> Response:
    check_version(call.version)
    locator, _, offset_text = locator_and_offset.rpartition("-")
    normalised = ids.normalise(locator) if locator else None
    with call.state.lock:
        cursor = _cursors(call).get(normalised or "")
        if cursor is None or not offset_text.isdigit() or cursor.user_id != call.user_id:
            raise errors.ApiError(400, "INVALID_QUERY_LOCATOR", "invalid query locator")
        offset = int(offset_text)
        if offset >= len(cursor.rows):
            raise errors.ApiError(400, "INVALID_QUERY_LOCATOR", "invalid query locator")
        cursor.last_used_at = call.now
        cursor.batch_size = (
            batch_size(call.header("Sforce-Query-Options"))
            if call.header("Sforce-Query-Options")
            else cursor.batch_size
        )
        page = _page(call, locator, cursor, offset, len(cursor.rows))
        if page["done"]:
            del call.state.query_cursors[normalised]
        return json_response(page)


@router.get("/query")
def query(call: ApiCallDep, q: str | None = None) -> Response:
    return _run(call, q, include_deleted=False)


@router.get("/queryAll")
def query_all(call: ApiCallDep, q: str | None = None) -> Response:
    return _run(call, q, include_deleted=True)


@router.get("/query/{locator}")
def query_more(locator: str, call: ApiCallDep) -> Response:
    return _more(call, locator)


@router.get("/queryAll/{locator}")
def query_all_more(locator: str, call: ApiCallDep) -> Response:
    return _more(call, locator)
