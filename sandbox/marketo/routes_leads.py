"""Lead routes: get by filter / by id, Sync Leads, describe, delete, merge (reference/marketo.md §3).

``POST /rest/v1/leads.json`` is Sync Leads unless ``_method=GET`` turned it into a GET (the gateway
does that), so a plain POST never reads. The Delete Leads path is the swagger's
``POST /rest/v1/leads/delete.json``; §1 warns that Adobe's endpoint table gives other paths.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from fastapi import APIRouter, Request
from starlette.responses import Response

from sandbox.marketo import paging
from sandbox.marketo.describe import lead_describe, lead_describe2
from sandbox.marketo.envelope import MarketoError, json_response, success_body
from sandbox.marketo.lead_sync import PARTITIONS, check_lookup_field, delete_leads, sync_leads
from sandbox.marketo.people import UnknownLead
from sandbox.marketo.routes_common import (
    batch_size,
    csv_values,
    fields_param,
    input_ids,
    marketo,
    now,
    ok,
    param,
    read_json,
    repeated_ints,
    required,
)
from sandbox.marketo.schema import InvalidValue, format_datetime
from sandbox.marketo.state import MarketoState

router = APIRouter(prefix="/rest/v1")

DEFAULT_FIELDS = ("id", "email", "updatedAt", "createdAt", "firstName", "lastName")
MAX_FILTER_VALUES = 300
MAX_MATCHES = 1000
MAX_MERGE_IDS = 25
MERGE_CAP_FROM = datetime(2026, 3, 31, tzinfo=UTC)


def lead_fields(state: MarketoState, text: str | None) -> list[str]:
    """The ``fields`` parameter (default: §3's six fields); 1006 for a field the instance lacks.
    Lead records always carry their ``id``, whatever fields were asked for."""
    names = csv_values(text) or list(DEFAULT_FIELDS)
    if "id" not in names:
        names.insert(0, "id")
    for name in names:
        if name not in state.core.lead_schema:
            raise MarketoError("1006", f"Field '{name}' not found")
    return names


@router.get("/leads.json")
async def get_leads(request: Request) -> Response:
    state = marketo(request)
    filter_type = required(request, "filterType")
    raw_values = csv_values(required(request, "filterValues"))
    if len(raw_values) > MAX_FILTER_VALUES:
        raise MarketoError("1003", f"Too many filter values; the maximum is {MAX_FILTER_VALUES}")
    fields = lead_fields(state, fields_param(request))
    size = batch_size(request)
    token = param(request, "nextPageToken")
    after_id = _decode(token).after_id if token else 0
    with state.lock:
        check_lookup_field(state.core, filter_type)
        try:
            values = [state.core.lead_schema.coerce(filter_type, v) for v in raw_values]
        except InvalidValue as error:
            raise MarketoError("1003", str(error)) from None
        matched = sorted({i for ids in state.core.leads.match(filter_type, values).values() for i in ids})
        if len(matched) > MAX_MATCHES:
            raise MarketoError("1003", "Too many results match the filter")
        remaining = [i for i in matched if i > after_id]
        page = remaining[:size]
        result = [state.core.lead_view(state.core.leads.get(i) or {}, fields) for i in page]
    next_token = None
    if len(remaining) > size:
        next_token = paging.encode(paging.PagePosition(now(request), page[-1]))
    return ok(request, result, next_page_token=next_token)


def _decode(token: str) -> paging.PagePosition:
    try:
        return paging.decode(token)
    except paging.InvalidPagingToken as error:
        raise MarketoError("1003", str(error)) from None


@router.get("/lead/{lead_id:int}.json")
async def get_lead(request: Request, lead_id: int) -> Response:
    state = marketo(request)
    fields = lead_fields(state, fields_param(request))
    with state.lock:
        lead = state.core.leads.get(lead_id)
        result = [state.core.lead_view(lead, fields)] if lead is not None else []
    return ok(request, result)


@router.post("/leads.json")
async def sync(request: Request) -> Response:
    state = marketo(request)
    body = await read_json(request)
    result = sync_leads(
        state.core,
        state.people,
        records=body.get("input"),
        action=body.get("action"),
        lookup_field=body.get("lookupField"),
        partition_name=body.get("partitionName"),
    )
    return ok(request, result)


@router.get("/leads/describe.json")
async def describe(request: Request) -> Response:
    return ok(request, lead_describe(marketo(request).core.lead_schema))


@router.get("/leads/describe2.json")
async def describe2(request: Request) -> Response:
    state = marketo(request)
    return ok(request, lead_describe2(state.core.lead_schema, crm_sync_enabled=state.crm_sync_enabled))


@router.get("/leads/partitions.json")
async def partitions(request: Request) -> Response:
    return ok(request, [dict(p) for p in PARTITIONS])


@router.post("/leads/delete.json")
async def delete(request: Request) -> Response:
    state = marketo(request)
    ids: list[Any] = list(repeated_ints(request, "id"))
    if not ids:
        ids = input_ids(await read_json(request))
    return ok(request, delete_leads(state.core, state.people, ids))


@router.post("/leads/{winner_id:int}/merge.json")
async def merge(request: Request, winner_id: int) -> Response:
    state = marketo(request)
    losers = repeated_ints(request, "leadId") + repeated_ints(request, "leadIds")
    if not losers:
        raise MarketoError("701", "leadId cannot be blank")
    if len(losers) > MAX_MERGE_IDS and now(request) >= MERGE_CAP_FROM:
        raise MarketoError("1080", f"Cannot merge more than {MAX_MERGE_IDS} leads")
    merge_in_crm = (param(request, "mergeInCRM") or "false").lower() == "true"
    try:
        state.people.merge(winner_id, losers, merge_in_crm=merge_in_crm)
    except UnknownLead as missing:
        raise MarketoError("1004", f"Lead '{missing.args[0]}' not found") from None
    return json_response(success_body(now(request)))


@router.get("/leads/{lead_id:int}/listMembership.json")
async def list_membership(request: Request, lead_id: int) -> Response:
    state = marketo(request)
    if state.people.get(lead_id) is None:
        raise MarketoError("1004", "Lead not found")
    return ok(request, [s.to_wire() for s in state.lists.lists_of(lead_id)])


@router.get("/leads/{lead_id:int}/programMembership.json")
async def program_membership(request: Request, lead_id: int) -> Response:
    state = marketo(request)
    if state.people.get(lead_id) is None:
        raise MarketoError("1004", "Lead not found")
    result = []
    for program in state.programs.all():
        member = program.members.get(lead_id)
        if member is not None:
            result.append(
                {
                    "id": program.id,
                    "progressionStatus": member.status.name,
                    "acquiredBy": member.acquired_by,
                    "reachedSuccess": member.reached_success,
                    "membershipDate": format_datetime(member.membership_date),
                    "updatedAt": format_datetime(member.updated_at),
                }
            )
    return ok(request, result)
