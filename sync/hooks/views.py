"""The two public receivers. They authenticate themselves, so the app mounts them without a role guard.

Each does the least possible before answering: size check, authentication, parse, one inbox commit.
Everything else (fetching records, deciding, writing to the other system) happens later in the inbox
processor, so Salesforce gets its Ack within its 60 s timeout and Marketo its answer well inside its
~30 s, whatever the other system's latency (reference/salesforce.md §8, marketo-webhooks.md).
"""

from __future__ import annotations

import base64
import binascii
import hmac
import logging
from collections.abc import Callable

from fastapi import APIRouter, Request, Response
from fastapi.responses import JSONResponse
from prometheus_client import Counter
from sqlmodel import Session
from starlette.concurrency import run_in_threadpool

from handoff.clock import Clock
from sync.hooks.config import STATE_ATTRIBUTE, HookSettings
from sync.hooks.soap import ACK, OutboundMessageRejected, fault, parse, same_organization
from sync.hooks.store import store_mql_hint, store_outbound_message
from sync.hooks.webhook import WebhookRejected, parse_hint, secret_matches

log = logging.getLogger(__name__)

HOOK_REQUESTS = Counter(
    "handoff_hook_requests_total", "Inbound hook requests by receiver and outcome", ["hook", "outcome"]
)

router = APIRouter(tags=["hooks"])
SOAP_MEDIA = "text/xml; charset=utf-8"


class BodyTooLarge(Exception):
    pass


async def read_limited(request: Request, limit: int) -> bytes:
    """Read at most ``limit`` bytes; refuse on the declared length first, then while streaming."""
    declared = request.headers.get("content-length")
    if declared is not None and declared.isdigit() and int(declared) > limit:
        raise BodyTooLarge()
    chunks: list[bytes] = []
    size = 0
    async for chunk in request.stream():
        size += len(chunk)
        if size > limit:
            raise BodyTooLarge()
        chunks.append(chunk)
    return b"".join(chunks)


def _hooks(request: Request) -> HookSettings | None:
    return getattr(request.app.state, STATE_ATTRIBUTE, None)


def _soap_fault(
    reason: str, status: int, code: str = "soapenv:Client", headers: dict[str, str] | None = None
) -> Response:
    return Response(fault(reason, code), status_code=status, media_type=SOAP_MEDIA, headers=headers)


def _basic_auth_ok(request: Request, username: str, password: str) -> bool:
    header = request.headers.get("authorization", "")
    if not header.lower().startswith("basic "):
        return False
    try:
        decoded = base64.b64decode(header[6:].strip(), validate=True).decode("utf-8")
    except (binascii.Error, UnicodeDecodeError):
        return False
    given_user, _, given_password = decoded.partition(":")
    user_ok = hmac.compare_digest(given_user.encode(), username.encode())
    password_ok = hmac.compare_digest(given_password.encode(), password.encode())
    return user_ok and password_ok


@router.post("/hooks/salesforce/outbound-messages", response_class=Response)
async def salesforce_outbound_messages(request: Request) -> Response:
    """Store every notification under its id, commit, then Ack; refusals are SOAP faults that change nothing."""
    hooks = _hooks(request)
    if hooks is None or not hooks.organization_id or hooks.problems():
        HOOK_REQUESTS.labels("salesforce", "not_configured").inc()
        return _soap_fault(
            "the Outbound Message receiver is not configured (salesforce.organization_id)",
            503,
            "soapenv:Server",
        )
    needs_auth = bool(hooks.outbound_username and hooks.outbound_password)
    if needs_auth and not _basic_auth_ok(
        request, hooks.outbound_username or "", hooks.outbound_password or ""
    ):
        HOOK_REQUESTS.labels("salesforce", "unauthorized").inc()
        return _soap_fault(
            "authentication required", 401, headers={"WWW-Authenticate": 'Basic realm="handoff"'}
        )
    try:
        body = await read_limited(request, hooks.max_outbound_bytes)
    except BodyTooLarge:
        HOOK_REQUESTS.labels("salesforce", "too_large").inc()
        return _soap_fault(f"the message is larger than {hooks.max_outbound_bytes} bytes", 413)
    try:
        message = parse(body)
    except OutboundMessageRejected as exc:
        HOOK_REQUESTS.labels("salesforce", "rejected").inc()
        log.warning("outbound message refused", extra={"reason": exc.reason})
        return _soap_fault(exc.reason, 500, exc.fault_code)
    if not same_organization(message.organization_id, hooks.organization_id):
        HOOK_REQUESTS.labels("salesforce", "foreign_org").inc()
        log.warning(
            "outbound message from another organization refused", extra={"org": message.organization_id[:15]}
        )
        return _soap_fault(
            f"OrganizationId {message.organization_id[:15]} is not the configured organization", 500
        )
    session_factory: Callable[[], Session] = request.app.state.session_factory
    clock: Clock = request.app.state.clock

    def commit() -> tuple[int, int]:
        with session_factory() as session:
            stored = store_outbound_message(session, message, clock())
            session.commit()
            return stored.new, stored.duplicates

    try:
        new, duplicates = await run_in_threadpool(commit)
    except Exception:
        HOOK_REQUESTS.labels("salesforce", "store_failed").inc()
        log.exception("outbound message could not be stored; not acknowledged, Salesforce will retry")
        return _soap_fault("temporarily unable to store the message; retry later", 503, "soapenv:Server")
    HOOK_REQUESTS.labels("salesforce", "accepted").inc()
    log.info("outbound message stored", extra={"new": new, "duplicates": duplicates})
    return Response(ACK, media_type=SOAP_MEDIA)


@router.post("/hooks/marketo/webhook")
async def marketo_webhook(request: Request) -> Response:
    """Check the secret header, store the hint, answer a small JSON body (an empty one is Marketo error 1001)."""
    hooks = _hooks(request)
    if hooks is None or not hooks.webhook_secret:
        HOOK_REQUESTS.labels("marketo", "not_configured").inc()
        return JSONResponse({"error": "the webhook receiver is not configured"}, status_code=503)
    if not secret_matches(request.headers.get(hooks.webhook_secret_header), hooks.webhook_secret):
        HOOK_REQUESTS.labels("marketo", "unauthorized").inc()
        return JSONResponse({"error": "missing or wrong secret header"}, status_code=401)
    try:
        body = await read_limited(request, hooks.max_webhook_bytes)
        hint = parse_hint(body, request.headers.get("content-type", "application/json"))
    except BodyTooLarge:
        HOOK_REQUESTS.labels("marketo", "too_large").inc()
        return JSONResponse(
            {"error": f"the body is larger than {hooks.max_webhook_bytes} bytes"}, status_code=413
        )
    except WebhookRejected as exc:
        HOOK_REQUESTS.labels("marketo", "rejected").inc()
        return JSONResponse({"error": exc.reason}, status_code=exc.status)
    session_factory: Callable[[], Session] = request.app.state.session_factory
    clock: Clock = request.app.state.clock

    def commit() -> bool:
        with session_factory() as session:
            created = store_mql_hint(session, hint, clock())
            session.commit()
            return created

    try:
        created = await run_in_threadpool(commit)
    except Exception:
        HOOK_REQUESTS.labels("marketo", "store_failed").inc()
        log.exception("webhook hint could not be stored")
        return JSONResponse({"error": "temporarily unable to store the hint"}, status_code=503)
    HOOK_REQUESTS.labels("marketo", "accepted" if created else "duplicate").inc()
    return JSONResponse({"accepted": True, "leadId": hint.lead_id, "duplicate": not created})
