"""The sandbox's own admin API (not Marketo's): fault injection and switches for tests and the demo.

Under ``/_admin``: transient errors (604/608/611 …) for the next N calls or at a seeded rate, latency,
"every token expires now", quota set/used, limits on/off, the CRM-sync flag, strict token mode, and a
webhook drain. It uses ordinary HTTP statuses (400 on bad input), since no Marketo client calls it. When
the app is built with an ``admin_token``, every call must carry it in ``X-Admin-Token``.
"""

from __future__ import annotations

import hmac

from fastapi import APIRouter, Depends, HTTPException, Request
from pydantic import BaseModel, ConfigDict, Field

from sandbox.marketo.limits import quota_day
from sandbox.marketo.routes_common import marketo


def _require_admin(request: Request) -> None:
    expected: str | None = request.app.state.marketo_admin_token
    if expected is None:
        return
    given = request.headers.get("x-admin-token", "")
    if not hmac.compare_digest(given.encode(), expected.encode()):
        raise HTTPException(status_code=401, detail="admin token required")


router = APIRouter(prefix="/_admin", dependencies=[Depends(_require_admin)])


class _Body(BaseModel):
    model_config = ConfigDict(extra="forbid")


class PlannedErrors(_Body):
    code: str
    count: int = Field(default=1, ge=1, le=100_000)
    path_prefix: str | None = Field(default=None, alias="pathPrefix")


class ErrorRate(_Body):
    code: str
    rate: float = Field(ge=0.0, le=1.0)


class Latency(_Body):
    seconds: float = Field(ge=0.0, le=120.0)
    calls: int | None = Field(default=None, ge=1)


class Quota(_Body):
    daily_quota: int | None = Field(default=None, ge=0, alias="dailyQuota")
    used_today: int | None = Field(default=None, ge=0, alias="usedToday")


class Switch(_Body):
    enabled: bool


def _bad(error: ValueError) -> HTTPException:
    return HTTPException(status_code=400, detail=str(error))


@router.get("/state")
async def summary(request: Request) -> dict:
    return marketo(request).summary()


@router.get("/faults")
async def faults(request: Request) -> dict:
    return marketo(request).faults.describe()


@router.post("/faults/errors")
async def plan_errors(request: Request, body: PlannedErrors) -> dict:
    try:
        marketo(request).faults.fail_next(body.code, body.count, body.path_prefix)
    except ValueError as error:
        raise _bad(error) from None
    return marketo(request).faults.describe()


@router.post("/faults/error-rate")
async def error_rate(request: Request, body: ErrorRate) -> dict:
    try:
        marketo(request).faults.fail_randomly(body.code, body.rate)
    except ValueError as error:
        raise _bad(error) from None
    return marketo(request).faults.describe()


@router.post("/faults/latency")
async def latency(request: Request, body: Latency) -> dict:
    marketo(request).faults.set_latency(body.seconds, body.calls)
    return marketo(request).faults.describe()


@router.delete("/faults")
async def clear_faults(request: Request) -> dict:
    marketo(request).faults.clear()
    return marketo(request).faults.describe()


@router.post("/tokens/expire")
async def expire_tokens(request: Request) -> dict:
    state = marketo(request)
    return {"expired": state.tokens.expire_all(state.clock())}


def _quota_view(request: Request) -> dict:
    state = marketo(request)
    return {
        "dailyQuota": state.limits.settings.daily_quota,
        "usedToday": state.limits.used_on(quota_day(state.clock())),
    }


@router.get("/quota")
async def quota(request: Request) -> dict:
    return _quota_view(request)


@router.post("/quota")
async def set_quota(request: Request, body: Quota) -> dict:
    state = marketo(request)
    state.limits.set_quota(state.clock(), daily_quota=body.daily_quota, used_today=body.used_today)
    return _quota_view(request)


@router.post("/limits")
async def limits(request: Request, body: Switch) -> dict:
    marketo(request).limits.settings.enabled = body.enabled
    return {"enabled": body.enabled}


@router.post("/crm-sync")
async def crm_sync(request: Request, body: Switch) -> dict:
    marketo(request).set_crm_sync(body.enabled)
    return {"enabled": body.enabled}


@router.post("/strict-tokens")
async def strict_tokens(request: Request, body: Switch) -> dict:
    marketo(request).strict_tokens = body.enabled
    return {"enabled": body.enabled}


@router.post("/webhooks/drain")
async def drain(request: Request) -> dict:
    delivered = await marketo(request).webhooks.drain()
    return {"delivered": len(delivered)}
