"""Company routes: Sync Companies, get by filter, describe, delete (reference/marketo.md §6).

Reads work whatever the CRM flag says; writes answer 1018 "CRM Enabled" when it is on.
"""

from __future__ import annotations

from fastapi import APIRouter, Request
from starlette.responses import Response

from sandbox.marketo import paging
from sandbox.marketo.companies import DEFAULT_FIELDS, Companies
from sandbox.marketo.describe import company_describe
from sandbox.marketo.envelope import MarketoError
from sandbox.marketo.routes_common import (
    batch_size,
    csv_values,
    fields_param,
    marketo,
    now,
    ok,
    param,
    read_json,
    required,
)

router = APIRouter(prefix="/rest/v1")
MAX_FILTER_VALUES = 300


@router.post("/companies.json")
async def sync(request: Request) -> Response:
    body = await read_json(request)
    result = marketo(request).companies.sync(
        body.get("input"), action=body.get("action"), dedupe_by=body.get("dedupeBy")
    )
    return ok(request, result)


@router.get("/companies.json")
async def get_companies(request: Request) -> Response:
    state = marketo(request)
    filter_type = required(request, "filterType")
    values = csv_values(required(request, "filterValues"))
    if len(values) > MAX_FILTER_VALUES:
        raise MarketoError("1003", f"Too many filter values; the maximum is {MAX_FILTER_VALUES}")
    fields = csv_values(fields_param(request)) or list(DEFAULT_FIELDS)
    for name in fields:
        if name not in state.core.company_schema:
            raise MarketoError("1006", f"Field '{name}' not found")
    size = batch_size(request)
    token = param(request, "nextPageToken")
    try:
        after = paging.decode(token).after_id if token else 0
    except paging.InvalidPagingToken as error:
        raise MarketoError("1003", str(error)) from None
    remaining = [c for c in state.companies.find(filter_type, values) if c["id"] > after]
    page = remaining[:size]
    next_token = (
        paging.encode(paging.PagePosition(now(request), page[-1]["id"])) if len(remaining) > size else None
    )
    return ok(request, [Companies.view(c, fields, n) for n, c in enumerate(page)], next_page_token=next_token)


@router.get("/companies/describe.json")
async def describe(request: Request) -> Response:
    return ok(request, company_describe(marketo(request).core.company_schema))


@router.post("/companies/delete.json")
async def delete(request: Request) -> Response:
    body = await read_json(request)
    return ok(request, marketo(request).companies.delete(body.get("input"), delete_by=body.get("deleteBy")))
