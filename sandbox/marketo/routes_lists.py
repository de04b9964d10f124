"""Static list routes (reference/marketo.md §5 "Static lists").

``POST /rest/v1/lists/{id}/leads.json`` adds (ids as ``?id=1&id=2`` or ``{"input":[{"id":1}]}``, at
most 300), ``DELETE`` on the same path removes (the API's only DELETE), ``leads/ismember.json`` checks,
and ``GET`` pages through the members. ``/rest/v1/list/{id}/leads.json`` (singular) is the older path
marketorestpython reads members from.
"""

from __future__ import annotations

from fastapi import APIRouter, Request
from starlette.responses import Response

from sandbox.marketo import paging
from sandbox.marketo.envelope import MarketoError
from sandbox.marketo.routes_common import (
    batch_size,
    fields_param,
    input_ids,
    int_values,
    marketo,
    now,
    ok,
    param,
    read_json,
    repeated_ints,
)
from sandbox.marketo.routes_leads import lead_fields

router = APIRouter(prefix="/rest/v1")


async def _ids(request: Request) -> list[int]:
    ids = repeated_ints(request, "id")
    if ids:
        return ids
    if request.headers.get("content-type", "").startswith("application/json"):
        return int_values([str(v) for v in input_ids(await read_json(request))], "id")
    raise MarketoError("1003", "No lead ids given")


@router.get("/lists.json")
async def lists(request: Request) -> Response:
    state = marketo(request)
    wanted_ids = set(repeated_ints(request, "id"))
    wanted_names = {n.lower() for n in request.query_params.getlist("name")}
    found = [
        s
        for s in state.lists.all()
        if (not wanted_ids or s.id in wanted_ids) and (not wanted_names or s.name.lower() in wanted_names)
    ]
    return ok(request, [s.to_wire() for s in found])


@router.get("/lists/{list_id:int}.json")
async def list_by_id(request: Request, list_id: int) -> Response:
    return ok(request, [marketo(request).lists.require(list_id).to_wire()])


@router.post("/lists/{list_id:int}/leads.json")
async def add(request: Request, list_id: int) -> Response:
    return ok(request, marketo(request).lists.add(list_id, await _ids(request)))


@router.delete("/lists/{list_id:int}/leads.json")
async def remove(request: Request, list_id: int) -> Response:
    return ok(request, marketo(request).lists.remove(list_id, await _ids(request)))


@router.get("/lists/{list_id:int}/leads/ismember.json")
async def is_member(request: Request, list_id: int) -> Response:
    return ok(request, marketo(request).lists.membership(list_id, await _ids(request)))


@router.get("/lists/{list_id:int}/leads.json")
@router.get("/list/{list_id:int}/leads.json")
async def members(request: Request, list_id: int) -> Response:
    state = marketo(request)
    fields = lead_fields(state, fields_param(request))
    size = batch_size(request)
    token = param(request, "nextPageToken")
    try:
        after = paging.decode(token).after_id if token else 0
    except paging.InvalidPagingToken as error:
        raise MarketoError("1003", str(error)) from None
    with state.lock:
        remaining = [i for i in state.lists.member_ids(list_id) if i > after]
        page = remaining[:size]
        result = [state.core.lead_view(state.core.leads.get(i) or {}, fields) for i in page]
    next_token = paging.encode(paging.PagePosition(now(request), page[-1])) if len(remaining) > size else None
    return ok(request, result, next_page_token=next_token)
