"""Campaign routes (reference/marketo.md §5) and the usage statistics (§7).

``POST /rest/v1/campaigns/{id}/trigger.json`` takes ``{"input":{"leads":[{"id":…}],"tokens":[…]}}`` and
returns ``result:[{"id": campaignId}]``. ``stats/usage.json`` and ``stats/errors.json`` report the
quota day's counts (``/last7days.json`` the seven days before and including today), which tap-marketo
reads to pace itself.
"""

from __future__ import annotations

from datetime import timedelta

from fastapi import APIRouter, Request
from starlette.responses import Response

from sandbox.marketo.campaigns import normalise_request_tokens
from sandbox.marketo.envelope import MarketoError
from sandbox.marketo.limits import quota_day
from sandbox.marketo.routes_common import int_values, marketo, now, ok, read_json, repeated_ints

router = APIRouter(prefix="/rest/v1")


@router.get("/campaigns.json")
async def campaigns(request: Request) -> Response:
    state = marketo(request)
    wanted_ids = set(repeated_ints(request, "id"))
    wanted_names = {n.lower() for n in request.query_params.getlist("name")}
    found = [
        c
        for c in state.campaigns.all()
        if (not wanted_ids or c.id in wanted_ids) and (not wanted_names or c.name.lower() in wanted_names)
    ]
    return ok(request, [c.to_wire(state.campaigns.program_name(c)) for c in found])


@router.get("/campaigns/{campaign_id:int}.json")
async def campaign(request: Request, campaign_id: int) -> Response:
    state = marketo(request)
    found = state.campaigns.get(campaign_id)
    if found is None:
        raise MarketoError("1013", f"Campaign '{campaign_id}' not found")
    return ok(request, [found.to_wire(state.campaigns.program_name(found))])


@router.post("/campaigns/{campaign_id:int}/trigger.json")
async def trigger(request: Request, campaign_id: int) -> Response:
    state = marketo(request)
    body = await read_json(request)
    payload = body.get("input")
    if not isinstance(payload, dict):
        raise MarketoError("1003", "input must be an object with 'leads'")
    leads = payload.get("leads")
    if not isinstance(leads, list) or not all(isinstance(lead, dict) and "id" in lead for lead in leads):
        raise MarketoError("1003", "input.leads must be a list of {id}")
    lead_ids = int_values([str(lead["id"]) for lead in leads], "id")
    tokens = normalise_request_tokens(payload.get("tokens"))
    state.campaigns.request(campaign_id, lead_ids, tokens)
    return ok(request, [{"id": campaign_id}])


def _days(request: Request, count: int) -> list:
    today = quota_day(now(request))
    return [today - timedelta(days=n) for n in range(count)]


@router.get("/stats/usage.json")
async def usage(request: Request) -> Response:
    return ok(request, marketo(request).limits.usage_report(_days(request, 1)))


@router.get("/stats/usage/last7days.json")
async def usage_week(request: Request) -> Response:
    return ok(request, marketo(request).limits.usage_report(_days(request, 7)))


@router.get("/stats/errors.json")
async def errors(request: Request) -> Response:
    return ok(request, marketo(request).limits.error_report(_days(request, 1)))


@router.get("/stats/errors/last7days.json")
async def errors_week(request: Request) -> Response:
    return ok(request, marketo(request).limits.error_report(_days(request, 7)))
