"""The handoff transitions the sync flows make: opened by the pass-through gate, routed, converted.

Each transition appends a ``HandoffEvent`` (the truth) and updates the ``Handoff`` projection columns
in the caller's transaction; each is idempotent, because the inbox may run a flow twice for the same
fact (an Outbound Message and a poll both reporting one conversion). Flushes, never commits.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlmodel import Session, select

from routing import repository as routing_repository
from routing.models import Handoff, HandoffEvent

PRE_ROUTE_STATES = ("mql", "held", "route_ready")
POST_ROUTE_STATES = ("routed", "touched", "breached", "escalated", "reassigned")
CLOSED_STATES = ("converted", "recycled", "rejected")


def add_event(
    session: Session,
    handoff: Handoff,
    kind: str,
    at: datetime,
    *,
    reason_code: str,
    message: str,
    data: dict[str, Any] | None = None,
    actor: str = "handoff",
) -> HandoffEvent:
    """An event on the handoff record, written the one way routing writes them (no flush: the inbox commits)."""
    return routing_repository.add_event(
        session,
        handoff,
        kind,
        at,
        reason_code=reason_code,
        message=message,
        data=data,
        actor=actor,
        flush=False,
    )


def latest_open(session: Session, marketo_id: int, states: tuple[str, ...]) -> Handoff | None:
    return session.exec(
        select(Handoff)
        .where(Handoff.marketo_id == marketo_id, Handoff.state.in_(states))  # type: ignore[attr-defined]
        .order_by(Handoff.mql_at.desc(), Handoff.id.desc())  # type: ignore[attr-defined,union-attr]
    ).first()


def mark_routed(
    session: Session,
    handoff_id: int,
    *,
    now: datetime,
    lead_id: str | None,
    contact_id: str | None,
    owner_id: str | None,
    message: str,
    data: dict[str, Any],
) -> Handoff | None:
    """``route_ready`` → ``routed`` with the owner read back from Salesforce; a second call changes nothing."""
    handoff = session.get(Handoff, handoff_id)
    if handoff is None or handoff.state not in PRE_ROUTE_STATES:
        return None
    add_event(session, handoff, "routed", now, reason_code="owner_assigned", message=message, data=data)
    handoff.state = "routed"
    handoff.routed_at = now
    handoff.owner_id = owner_id
    handoff.sfdc_lead_id = lead_id or handoff.sfdc_lead_id
    handoff.sfdc_contact_id = contact_id or handoff.sfdc_contact_id
    handoff.updated_at = now
    session.add(handoff)
    session.flush()
    return handoff


def mark_converted(
    session: Session,
    *,
    lead_id: str,
    contact_id: str | None,
    account_id: str | None,
    opportunity_id: str | None,
    now: datetime,
) -> Handoff | None:
    """The newest handoff of this Lead becomes ``converted`` (SQL); None if Handoff never routed this Lead."""
    handoff = session.exec(
        select(Handoff)
        .where(Handoff.sfdc_lead_id == lead_id)
        .order_by(Handoff.mql_at.desc(), Handoff.id.desc())  # type: ignore[attr-defined,union-attr]
    ).first()
    if handoff is None or handoff.state in CLOSED_STATES:
        return None
    add_event(
        session,
        handoff,
        "converted",
        now,
        reason_code="lead_converted",
        message=f"Lead {lead_id} was converted in Salesforce (Contact {contact_id or 'unknown'}).",
        data={
            "lead_id": lead_id,
            "contact_id": contact_id,
            "account_id": account_id,
            "opportunity_id": opportunity_id,
            "previous_state": handoff.state,
        },
        actor="salesforce",
    )
    handoff.state = "converted"
    handoff.converted_at = now
    handoff.closed_at = now
    handoff.sfdc_contact_id = contact_id or handoff.sfdc_contact_id
    handoff.sfdc_account_id = account_id or handoff.sfdc_account_id
    handoff.updated_at = now
    session.add(handoff)
    session.flush()
    return handoff
