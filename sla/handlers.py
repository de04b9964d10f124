"""Outbox handlers for the SLA's outbound writes: channel messages, Salesforce reassignment, Marketo recycle.

Registered by the composition root on the shared ``OutboxHandlers``; they run in the outbox dispatcher,
outside any SLA session, and raise ``sync.errors`` classes. The reassignment handler re-reads its clock
first: a lead touched after the step was queued must not be taken away from the rep who just called.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any

from sqlmodel import Session

from sla.escalation import REASSIGN_OPERATION, RECYCLE_OPERATION
from sla.models import SlaClock
from sla.notify.base import Channel
from sla.ports import NurtureTarget, SalesforceActions
from sync.errors import AuthError, PermanentError
from sync.outbox import OutboxHandlers, OutboxWork


def channel_handler(channels: Mapping[str, Channel]) -> Callable[[OutboxWork], Any]:
    async def handle(work: OutboxWork) -> dict[str, Any]:
        name = work.payload.get("channel")
        channel = channels.get(str(name))
        if channel is None:
            raise PermanentError(f"notification channel {name!r} is not configured")
        return await channel.send(work.payload, work.idempotency_key)

    return handle


def reassign_handler(
    session_factory: Callable[[], Session], salesforce: SalesforceActions | None
) -> Callable[[OutboxWork], Any]:
    async def handle(work: OutboxWork) -> dict[str, Any]:
        if salesforce is None:
            raise AuthError("no Salesforce client is configured for reassignment", system="salesforce")
        payload = work.payload
        with session_factory() as session:
            clock = session.get(SlaClock, payload["clock_id"])
            if clock is None or clock.status != "open":
                return {"skipped": "clock_stopped"}
        lead_id = str(payload["lead_id"])
        owner = await salesforce.reassign_lead(
            lead_id, None if payload.get("use_rule") else payload["owner_id"]
        )
        fallback = payload.get("fallback_id")
        if owner == payload.get("previous_owner_id") and fallback:
            owner = await salesforce.reassign_lead(lead_id, fallback)
        return {"owner_id": owner}

    return handle


def recycle_handler(nurture: NurtureTarget | None) -> Callable[[OutboxWork], Any]:
    async def handle(work: OutboxWork) -> dict[str, Any]:
        if nurture is None:
            raise AuthError("no Marketo client is configured for recycling", system="marketo")
        return dict(await nurture.recycle(work.payload))

    return handle


def register_handlers(
    handlers: OutboxHandlers,
    *,
    channels: Mapping[str, Channel],
    session_factory: Callable[[], Session],
    salesforce: SalesforceActions | None,
    nurture: NurtureTarget | None,
) -> None:
    """Register every SLA operation: ``sla.slack.post``, ``sla.email.send``, ``sla.salesforce.task.create``,
    ``sla.salesforce.lead.reassign`` and ``sla.marketo.recycle``."""
    send = channel_handler(channels)
    for operation in sorted({channel.operation for channel in channels.values()}):
        handlers.register(operation, send)
    handlers.register(REASSIGN_OPERATION, reassign_handler(session_factory, salesforce))
    handlers.register(RECYCLE_OPERATION, recycle_handler(nurture))
