"""The sandbox's own admin API under ``/_sandbox``: fault injection and test controls.

Nothing here exists on a real org, hence the separate prefix. It drives what a test or a demo needs to
provoke: a share of requests answering 503 or ``UNABLE_TO_LOCK_ROW``, added latency, scripted failures
for the next requests, every session expiring now (401 on the next call), the remaining daily allocation
(403 when 0), and Outbound Message delivery on demand. It has no authentication: the sandbox listens on
loopback for tests and demos only.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from fastapi import APIRouter, HTTPException, Request
from fastapi.responses import Response
from pydantic import BaseModel, Field

from sandbox.salesforce.faults import FaultKind, FaultSettings
from sandbox.salesforce.outbound import OutboundSender
from sandbox.salesforce.rest import json_response
from sandbox.salesforce.state import SalesforceState

router = APIRouter(prefix="/_sandbox")


class FaultsBody(BaseModel):
    unavailable_rate: float = Field(0.0, ge=0.0, le=1.0)
    lock_row_rate: float = Field(0.0, ge=0.0, le=1.0)
    latency_ms: int = Field(0, ge=0, le=120_000)
    seed: int = 0
    fail_next: list[FaultKind] = Field(default_factory=list, max_length=10_000)


class LimitsBody(BaseModel):
    remaining: int = Field(ge=0)
    max: int | None = Field(None, ge=0)


def _state(request: Request) -> SalesforceState:
    return request.app.state.salesforce


@router.get("/faults")
def get_faults(request: Request) -> Response:
    return json_response(_state(request).faults.snapshot())


@router.put("/faults")
def put_faults(body: FaultsBody, request: Request) -> Response:
    state = _state(request)
    state.faults.configure(FaultSettings(**body.model_dump()))
    return json_response(state.faults.snapshot())


@router.post("/sessions/expire")
def expire_sessions(request: Request) -> Response:
    return json_response({"expired": _state(request).sessions.expire_all()})


@router.get("/limits")
def get_limits(request: Request) -> Response:
    state = _state(request)
    now = state.clock()
    return json_response(
        {"max": state.usage.maximum, "used": state.usage.used(now), "remaining": state.usage.remaining(now)}
    )


@router.put("/limits")
def put_limits(body: LimitsBody, request: Request) -> Response:
    state = _state(request)
    now = state.clock()
    try:
        state.usage.set_remaining(body.remaining, now, body.max)
    except ValueError as exc:
        raise HTTPException(422, str(exc)) from None
    return json_response(
        {"max": state.usage.maximum, "used": state.usage.used(now), "remaining": state.usage.remaining(now)}
    )


def _iso(moment: datetime | None) -> str | None:
    return moment.isoformat() if moment else None


@router.get("/outbound")
def outbound_messages(request: Request) -> Response:
    state = _state(request)
    with state.lock:
        messages: list[dict[str, Any]] = [
            {
                "message_id": m.message_id,
                "action_id": m.action_id,
                "notification_ids": [n.notification_id for n in m.notifications],
                "record_ids": [n.record_id for n in m.notifications],
                "status": str(m.status),
                "attempts": m.attempts,
                "next_attempt_at": _iso(m.next_attempt_at),
                "last_error": m.last_error,
                "duplicate_of": m.duplicate_of,
            }
            for m in state.outbound_queue.messages
        ]
        waiting = len(state.outbound_queue.waiting)
    return json_response({"waiting": waiting, "messages": messages})


@router.post("/outbound/deliver")
def deliver_outbound(request: Request) -> Response:
    sender: OutboundSender | None = request.app.state.outbound_sender
    if sender is None:
        raise HTTPException(409, "this app was created without an outbound sender")
    report = sender.deliver_due()
    return json_response({"acknowledged": report.acknowledged, "failed": report.failed})


@router.get("/org")
def org(request: Request) -> Response:
    state = _state(request)
    with state.lock:
        user = state.store.get(state.integration_user_id) or {}
        counts = {
            name: state.store.count(name)
            for name in ("Lead", "Contact", "Account", "Opportunity", "Task", "Event", "User")
        }
    return json_response(
        {"organization_id": state.org_id, "integration_username": user.get("Username"), "records": counts}
    )
