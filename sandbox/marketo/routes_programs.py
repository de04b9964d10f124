"""Program member routes, the legacy program routes, channels and programs (reference/marketo.md §5).

Current API: ``programs/{id}/members.json`` (GET by filter, POST field updates),
``members/status.json`` and ``members/delete.json``. Legacy API (still used by marketorestpython's
``change_lead_program_status`` and ``get_multiple_leads_by_program_id``): ``leads/programs/{id}.json``
and ``leads/programs/{id}/status.json``, which only moves existing members. The asset API answers "no
assets" with a warning and no result, the shape marketorestpython checks for.
"""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from fastapi import APIRouter, Request
from starlette.responses import Response

from sandbox.marketo import paging
from sandbox.marketo.describe import member_describe
from sandbox.marketo.envelope import MarketoError, RecordError
from sandbox.marketo.programs import (
    MEMBER_DEFAULT_FIELDS,
    MEMBER_FIELDS,
    MEMBER_SEARCHABLE,
    Membership,
    Program,
)
from sandbox.marketo.routes_common import (
    MAX_BATCH,
    batch_size,
    csv_values,
    fields_param,
    int_values,
    marketo,
    now,
    ok,
    param,
    read_json,
    required,
)
from sandbox.marketo.routes_leads import lead_fields
from sandbox.marketo.schema import format_datetime, parse_datetime, to_wire

router = APIRouter()
NO_ASSETS = "No assets found for the given search criteria."
MAX_UPDATED_AT_WINDOW = timedelta(days=7)


def _after(request: Request) -> int:
    token = param(request, "nextPageToken")
    if token is None:
        return 0
    try:
        return paging.decode(token).after_id
    except paging.InvalidPagingToken as error:
        raise MarketoError("1003", str(error)) from None


def _page(request: Request, rows: list[tuple[int, dict[str, Any]]]) -> Response:
    """Rows are (lead id, wire record) in lead id order; pages continue after the last lead id."""
    after = _after(request)
    size = batch_size(request)
    remaining = [(i, r) for i, r in rows if i > after]
    page = remaining[:size]
    token = paging.encode(paging.PagePosition(now(request), page[-1][0])) if len(remaining) > size else None
    return ok(request, [r for _, r in page], next_page_token=token)


def _member_filter(request: Request, members: list[Membership]) -> list[Membership]:
    filter_type = required(request, "filterType")
    if filter_type not in MEMBER_SEARCHABLE:
        raise MarketoError("1011", f"Filter type '{filter_type}' not supported")
    if filter_type == "updatedAt":
        try:
            start, end = (
                parse_datetime(required(request, "startAt")),
                parse_datetime(required(request, "endAt")),
            )
        except ValueError:
            raise MarketoError("1001", "startAt and endAt must be datetimes") from None
        if end < start or end - start > MAX_UPDATED_AT_WINDOW:
            raise MarketoError("1003", "startAt and endAt must be at most 7 days apart")
        return [m for m in members if start <= m.updated_at <= end]
    values = csv_values(required(request, "filterValues"))
    if filter_type == "leadId":
        wanted_ids = set(int_values(values, "filterValues"))
        return [m for m in members if m.lead_id in wanted_ids]
    if filter_type == "reachedSuccess":
        wanted_flags = {v.lower() == "true" for v in values}
        return [m for m in members if m.reached_success in wanted_flags]
    wanted = {v.lower() for v in values}
    return [m for m in members if str(m.value(filter_type) or "").lower() in wanted]


@router.get("/rest/v1/programs/{program_id:int}/members.json")
async def get_members(request: Request, program_id: int) -> Response:
    state = marketo(request)
    known = {name for name, *_ in MEMBER_FIELDS}
    extra = csv_values(fields_param(request))
    unknown = [name for name in extra if name not in known]
    if unknown:
        raise MarketoError("1006", f"Field '{unknown[0]}' not found")
    names = list(dict.fromkeys([*MEMBER_DEFAULT_FIELDS, *extra]))
    with state.lock:
        members = _member_filter(request, state.programs.members(program_id))
        rows = [
            (m.lead_id, {"seq": n, **{k: to_wire(m.value(k)) for k in names}}) for n, m in enumerate(members)
        ]
    return _page(request, rows)


def _input(body: dict[str, Any]) -> list[Any]:
    rows = body.get("input")
    if not isinstance(rows, list) or not rows:
        raise MarketoError("1003", "input must be a non-empty list")
    if len(rows) > MAX_BATCH:
        raise MarketoError("1003", f"Exceeded maximum number of records ({MAX_BATCH})")
    return rows


def _lead_id(row: Any, key: str) -> int:
    if not isinstance(row, dict) or key not in row:
        raise RecordError("1003", f"Value for required field '{key}' not specified")
    try:
        return int(row[key])
    except (TypeError, ValueError):
        raise RecordError("1001", f"Invalid value '{row[key]}'. Required of type 'integer'") from None


@router.post("/rest/v1/programs/{program_id:int}/members/status.json")
async def set_status(request: Request, program_id: int) -> Response:
    state = marketo(request)
    body = await read_json(request)
    status_name = body.get("statusName")
    if not isinstance(status_name, str) or not status_name.strip():
        raise MarketoError("701", "statusName cannot be blank")
    rows = _input(body)
    results = []
    with state.lock:
        state.programs.require(program_id)
        for seq, row in enumerate(rows):
            try:
                lead_id = _lead_id(row, "leadId")
                status = state.programs.change_status(program_id, lead_id, status_name)
            except RecordError as error:
                results.append({"seq": seq, "status": "skipped", "reasons": [error.reason()]})
            else:
                results.append({"seq": seq, "status": status, "leadId": lead_id})
    return ok(request, results)


@router.post("/rest/v1/programs/{program_id:int}/members/delete.json")
async def delete_members(request: Request, program_id: int) -> Response:
    state = marketo(request)
    rows = _input(await read_json(request))
    results = []
    with state.lock:
        state.programs.require(program_id)
        for seq, row in enumerate(rows):
            try:
                lead_id = _lead_id(row, "leadId")
                state.programs.remove(program_id, lead_id)
            except RecordError as error:
                results.append({"seq": seq, "status": "skipped", "reasons": [error.reason()]})
            else:
                results.append({"seq": seq, "status": "deleted", "leadId": lead_id})
    return ok(request, results)


@router.post("/rest/v1/programs/{program_id:int}/members.json")
async def update_members(request: Request, program_id: int) -> Response:
    state = marketo(request)
    rows = _input(await read_json(request))
    results = []
    with state.lock:
        state.programs.require(program_id)
        for seq, row in enumerate(rows):
            try:
                lead_id = _lead_id(row, "leadId")
                values = {k: v for k, v in row.items() if k != "leadId"}
                state.programs.update_member_fields(program_id, lead_id, values)
            except RecordError as error:
                results.append({"seq": seq, "status": "skipped", "reasons": [error.reason()]})
            else:
                results.append({"seq": seq, "status": "updated", "leadId": lead_id})
    return ok(request, results)


@router.get("/rest/v1/programs/members/describe.json")
@router.get("/rest/v1/program/members/describe.json")
async def describe_members(request: Request) -> Response:
    return ok(request, member_describe())


# -- legacy --------------------------------------------------------------------------------------


@router.get("/rest/v1/leads/programs/{program_id:int}.json")
async def legacy_program_leads(request: Request, program_id: int) -> Response:
    state = marketo(request)
    fields = lead_fields(state, fields_param(request))
    with state.lock:
        rows = []
        for member in state.programs.members(program_id):
            lead = state.core.leads.get(member.lead_id) or {}
            record = state.core.lead_view(lead, fields)
            record["membership"] = {
                "progressionStatus": member.status.name,
                "acquiredBy": member.acquired_by,
                "reachedSuccess": member.reached_success,
                "membershipDate": format_datetime(member.membership_date),
                "stream": "",
                "nurtureCadence": "",
            }
            rows.append((member.lead_id, record))
    return _page(request, rows)


@router.post("/rest/v1/leads/programs/{program_id:int}/status.json")
async def legacy_status(request: Request, program_id: int) -> Response:
    state = marketo(request)
    body = await read_json(request)
    status_name = body.get("status")
    if not isinstance(status_name, str) or not status_name.strip():
        raise MarketoError("701", "status cannot be blank")
    rows = _input(body)
    results = []
    with state.lock:
        state.programs.require(program_id)
        for row in rows:
            lead_id: Any = row.get("id") if isinstance(row, dict) else None
            try:
                lead_id = _lead_id(row, "id")
                state.programs.change_status(program_id, lead_id, status_name, members_only=True)
            except RecordError as error:
                results.append({"id": lead_id, "status": "skipped", "reasons": [error.reason()]})
            else:
                results.append({"id": lead_id, "status": "updated"})
    return ok(request, results)


# -- asset API: channels and programs ---------------------------------------------------------------


def _assets(request: Request, items: list[dict[str, Any]]) -> Response:
    try:
        offset = int(param(request, "offset") or 0)
        max_return = int(param(request, "maxReturn") or 20)
    except ValueError:
        raise MarketoError("1003", "offset and maxReturn must be integers") from None
    page = items[offset : offset + max(1, min(max_return, 200))]
    return ok(request, page) if page else ok(request, warnings=[NO_ASSETS])


@router.get("/rest/asset/v1/channels.json")
async def channels(request: Request) -> Response:
    return _assets(request, [c.to_wire() for c in marketo(request).programs.channels()])


@router.get("/rest/asset/v1/channel/byName.json")
async def channel_by_name(request: Request) -> Response:
    found = marketo(request).programs.channel(required(request, "name"))
    return _assets(request, [found.to_wire()] if found else [])


@router.get("/rest/asset/v1/programs.json")
async def programs(request: Request) -> Response:
    return _assets(request, [p.to_wire() for p in marketo(request).programs.all()])


@router.get("/rest/asset/v1/program/{program_id:int}.json")
async def program_by_id(request: Request, program_id: int) -> Response:
    found: Program | None = marketo(request).programs.get(program_id)
    return _assets(request, [found.to_wire()] if found else [])


@router.get("/rest/asset/v1/program/byName.json")
async def program_by_name(request: Request) -> Response:
    found = marketo(request).programs.by_name(required(request, "name"))
    return _assets(request, [found.to_wire()] if found else [])
