"""Every query of the routing domain (handoffs, events, snapshots, config versions). Flushes, never commits."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Any

from sqlalchemy import func, or_, select
from sqlmodel import Session

from routing.lookup import PRE_ROUTE_STATES
from routing.models import ConfigVersion, Handoff, HandoffEvent

# After routing, the states in which the handoff's owner is still the one Handoff recorded.
ROUTED_STATES = ("routed", "touched", "breached", "escalated", "reassigned")
_CHUNK = 500


def open_pre_route(session: Session, marketo_ids: Sequence[int]) -> dict[int, Handoff]:
    """Each person's newest handoff still waiting to be routed (mql, held, route_ready and not closed)."""
    found: dict[int, Handoff] = {}
    unique = sorted(set(marketo_ids))
    for start in range(0, len(unique), _CHUNK):
        rows = session.execute(
            select(Handoff)
            .where(
                Handoff.marketo_id.in_(unique[start : start + _CHUNK]),  # type: ignore[union-attr]
                Handoff.state.in_(PRE_ROUTE_STATES),  # type: ignore[attr-defined]
                Handoff.closed_at.is_(None),  # type: ignore[union-attr]
            )
            .order_by(Handoff.id)
        ).scalars()
        for handoff in rows:
            found[handoff.marketo_id] = handoff  # type: ignore[index]
    return found


def add_event(
    session: Session,
    handoff: Handoff,
    kind: str,
    at: datetime,
    *,
    reason_code: str | None = None,
    message: str = "",
    data: dict[str, Any] | None = None,
    config_version_id: int | None = None,
    actor: str = "handoff",
    flush: bool = True,
) -> HandoffEvent:
    assert handoff.id is not None, "flush the handoff before adding events"
    event = HandoffEvent(
        handoff_id=handoff.id,
        at=at,
        kind=kind,
        reason_code=reason_code,
        message=message,
        data=data or {},
        config_version_id=config_version_id,
        actor=actor,
    )
    session.add(event)
    if flush:
        session.flush()
    return event


def events_of(session: Session, handoff_id: int) -> list[HandoffEvent]:
    return list(
        session.execute(
            select(HandoffEvent)
            .where(HandoffEvent.handoff_id == handoff_id)
            .order_by(HandoffEvent.at, HandoffEvent.id)
        ).scalars()
    )


def handoffs_by_record(session: Session, sobject: str, record_ids: Sequence[str]) -> list[Handoff]:
    """Routed handoffs whose Lead (or Contact) is one of ``record_ids``."""
    column = Handoff.sfdc_lead_id if sobject == "Lead" else Handoff.sfdc_contact_id
    found: list[Handoff] = []
    unique = sorted(set(record_ids))
    for start in range(0, len(unique), _CHUNK):
        found.extend(
            session.execute(
                select(Handoff).where(
                    column.in_(unique[start : start + _CHUNK]),  # type: ignore[union-attr]
                    Handoff.state.in_(ROUTED_STATES),  # type: ignore[attr-defined]
                )
            ).scalars()
        )
    return found


def routed_since(session: Session, since: datetime, limit: int) -> list[Handoff]:
    return list(
        session.execute(
            select(Handoff)
            .where(
                Handoff.state.in_(ROUTED_STATES),  # type: ignore[attr-defined]
                Handoff.routed_at >= since,  # type: ignore[operator]
                or_(Handoff.sfdc_lead_id.is_not(None), Handoff.sfdc_contact_id.is_not(None)),  # type: ignore[union-attr]
            )
            .order_by(Handoff.routed_at)
            .limit(limit)
        ).scalars()
    )


def expired_holds(session: Session, older_than: datetime, limit: int) -> list[Handoff]:
    return list(
        session.execute(
            select(Handoff)
            .where(
                Handoff.state == "held",
                Handoff.closed_at.is_(None),  # type: ignore[union-attr]
                Handoff.mql_at <= older_than,
            )
            .order_by(Handoff.mql_at)
            .limit(limit)
        ).scalars()
    )


# --- config versions ---------------------------------------------------------------------------------


def active_version(session: Session) -> ConfigVersion | None:
    return (
        session.execute(
            select(ConfigVersion).where(ConfigVersion.status == "active").order_by(ConfigVersion.id.desc())  # type: ignore[union-attr]
        )
        .scalars()
        .first()
    )


def versions(session: Session, limit: int = 100) -> list[ConfigVersion]:
    return list(
        session.execute(
            select(ConfigVersion).order_by(ConfigVersion.id.desc()).limit(limit)  # type: ignore[union-attr]
        ).scalars()
    )


def previous_active(session: Session, before: ConfigVersion) -> ConfigVersion | None:
    """The version that was active just before ``before`` was activated."""
    if before.activated_at is None:
        return None
    return (
        session.execute(
            select(ConfigVersion)
            .where(
                ConfigVersion.id != before.id,
                ConfigVersion.activated_at.is_not(None),  # type: ignore[union-attr]
                ConfigVersion.activated_at <= before.activated_at,  # type: ignore[operator]
            )
            .order_by(ConfigVersion.activated_at.desc(), ConfigVersion.id.desc())  # type: ignore[union-attr]
        )
        .scalars()
        .first()
    )


def count_events(session: Session) -> int:
    return int(session.execute(select(func.count()).select_from(HandoffEvent)).scalar_one())
