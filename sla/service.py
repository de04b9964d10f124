"""Clock use cases: start a clock when a handoff is routed, stop it at the first touch, restart it on
reassignment, close it when the handoff ends otherwise. Loads, calls the pure core, stores events; flushes,
never commits (the caller's job or request is the boundary).

The ``Handoff`` columns ``due_at``, ``first_touch_at``, ``touch_*_seconds``, ``breached``, ``owner_*`` and
``state`` are a projection of the events written here and in ``sla.escalation``; both are updated in the
same transaction so they never disagree.
"""

from __future__ import annotations

import logging
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from sqlalchemy.exc import IntegrityError
from sqlmodel import Session

from routing.models import Handoff
from sla import repository
from sla.clock import BusinessTime, Measure, WallTime
from sla.ladder import away_period, first_step
from sla.models import SlaClock, SlaOutOfOffice
from sla.notify.base import Channel
from sla.policy import AwayPeriod, Policy, SlaRules
from sla.ports import Directory
from sla.touch import OpenClock, Touch, match_touches

log = logging.getLogger(__name__)

# Handoff states in which the SLA still runs; later states (converted, recycled, rejected) are left alone.
ACTIVE_STATES = frozenset({"routed", "touched", "breached", "escalated", "reassigned"})
UNTOUCHED_STATES = frozenset({"routed", "breached", "escalated", "reassigned"})


@dataclass
class SlaContext:
    """What every SLA use case needs besides the session and the time."""

    rules: SlaRules
    directory: Directory
    channels: Mapping[str, Channel] = field(default_factory=dict)
    config_version_id: int | None = None


def measure_of(ctx: SlaContext, clock: SlaClock) -> Measure:
    policy = ctx.rules.policies.get(clock.policy)
    if policy is None:
        return WallTime()
    return policy.measure(clock.time_zone)


def business_measure(ctx: SlaContext, clock: SlaClock) -> Measure:
    """Business time for reporting even under a wall-clock policy (speed-to-lead is shown both ways)."""
    policy = ctx.rules.policies.get(clock.policy)
    if policy is None:
        return WallTime()
    return BusinessTime(policy.calendar.with_time_zone(clock.time_zone))


def set_state(
    handoff: Handoff, state: str, now: datetime, *, only_from: frozenset[str] = ACTIVE_STATES
) -> None:
    if handoff.state in only_from:
        handoff.state = state
    handoff.updated_at = now


def _valid_zone(name: str | None) -> str | None:
    if not name:
        return None
    try:
        ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError):
        log.warning("ignoring an unknown time zone from the directory", extra={"time_zone": name})
        return None
    return name


def all_away(ctx: SlaContext, stored: Iterable[AwayPeriod]) -> tuple[AwayPeriod, ...]:
    return (*ctx.rules.away, *stored)


def open_clock_for(
    session: Session,
    ctx: SlaContext,
    handoff: Handoff,
    policy: Policy,
    owner_id: str,
    *,
    started_at: datetime,
    now: datetime,
    sequence: int = 1,
    reassignments: int = 0,
    previous_owner_id: str | None = None,
    lead_time_zone: str | None = None,
) -> SlaClock:
    owner = ctx.directory.person(owner_id)
    zone = policy.time_zone(_valid_zone(owner.time_zone if owner else None), _valid_zone(lead_time_zone))
    measure = policy.measure(zone)
    away = away_period(
        owner_id, started_at, all_away(ctx, repository.away_periods(session, [owner_id], started_at))
    )
    plan = first_step(policy, measure, started_at, owner_away=away is not None, reassignments=reassignments)
    clock = SlaClock(
        handoff_id=int(handoff.id),  # type: ignore[arg-type]
        sequence=sequence,
        policy=policy.name,
        mode=policy.mode,
        time_zone=zone,
        target_seconds=policy.target_seconds,
        owner_id=owner_id,
        previous_owner_id=previous_owner_id,
        reassignments=reassignments,
        started_at=started_at,
        route_ready_at=handoff.route_ready_at,
        due_at=policy.due_at(measure, started_at),
        next_step_index=plan[0] if plan else None,
        next_step_at=plan[1] if plan else None,
        config_version_id=ctx.config_version_id,
        created_at=now,
    )
    session.add(clock)
    handoff.due_at = clock.due_at
    handoff.updated_at = now
    return clock


def start_clock(
    session: Session, ctx: SlaContext, handoff: Handoff, *, now: datetime, lead_time_zone: str | None = None
) -> SlaClock | None:
    """Start the first-touch clock of a routed handoff. Idempotent: a handoff that already has a clock gets
    it back (later clocks come from reassignment, never from a second start)."""
    if handoff.id is None:
        session.flush()
    handoff_id = int(handoff.id)  # type: ignore[arg-type]
    existing = repository.latest_clock(session, handoff_id)
    if existing is not None:
        return existing
    policy = ctx.rules.policies.get(handoff.sla_policy or "")
    if policy is None or not handoff.owner_id:
        log.info(
            "no SLA clock for this handoff",
            extra={"handoff_id": handoff.id, "policy": handoff.sla_policy, "owner_id": handoff.owner_id},
        )
        return None
    try:
        with session.begin_nested():
            clock = open_clock_for(
                session,
                ctx,
                handoff,
                policy,
                handoff.owner_id,
                started_at=handoff.routed_at or now,
                now=now,
                lead_time_zone=lead_time_zone,
            )
    except IntegrityError:
        # Another process started the same clock between our read and our insert: theirs stands.
        return repository.latest_clock(session, handoff_id)
    return clock


def restart_for_new_owner(
    session: Session,
    ctx: SlaContext,
    clock: SlaClock,
    handoff: Handoff,
    new_owner_id: str,
    *,
    at: datetime,
    now: datetime,
    reason: str,
    data: dict[str, Any] | None = None,
) -> SlaClock | None:
    """End ``clock`` and start the next one for ``new_owner_id``, keeping the history; writes ``reassigned``."""
    clock.status = "reassigned"
    clock.ended_at = at
    clock.end_reason = reason
    clock.next_step_at = None
    session.add(clock)
    session.flush()
    person = ctx.directory.person(new_owner_id)
    handoff.owner_id = new_owner_id
    handoff.owner_name = person.name if person else None
    set_state(handoff, "reassigned", now, only_from=UNTOUCHED_STATES)
    policy = ctx.rules.policies.get(clock.policy)
    new_clock = None
    if policy is not None:
        lead_zone = clock.time_zone if policy.time_zone_source == "lead" else None
        new_clock = open_clock_for(
            session,
            ctx,
            handoff,
            policy,
            new_owner_id,
            started_at=at,
            now=now,
            sequence=clock.sequence + 1,
            reassignments=clock.reassignments + 1,
            previous_owner_id=clock.owner_id,
            lead_time_zone=lead_zone,
        )
        session.flush()
    repository.add_event(
        session,
        handoff,
        kind="reassigned",
        at=at,
        reason_code=reason,
        message=f"Reassigned from {clock.owner_id} to {new_owner_id}; a new first-touch clock started"
        + (f", due {new_clock.due_at.isoformat()}" if new_clock else ""),
        data={
            "from_owner_id": clock.owner_id,
            "to_owner_id": new_owner_id,
            "ended_clock_id": clock.id,
            "clock_id": new_clock.id if new_clock else None,
            "due_at": new_clock.due_at.isoformat() if new_clock else None,
            **(data or {}),
        },
        config_version_id=ctx.config_version_id,
    )
    return new_clock


def record_owner_change(
    session: Session, ctx: SlaContext, handoff: Handoff, new_owner_id: str, *, at: datetime, now: datetime
) -> SlaClock | None:
    """The owner changed in Salesforce (a manager moved the lead): restart the clock for the new owner."""
    clock = repository.open_clock(session, int(handoff.id))  # type: ignore[arg-type]
    if clock is None or clock.owner_id == new_owner_id:
        return None
    return restart_for_new_owner(
        session, ctx, clock, handoff, new_owner_id, at=at, now=now, reason="owner_changed_in_salesforce"
    )


def close_clock_row(clock: SlaClock, *, at: datetime, reason: str) -> None:
    clock.status = "closed"
    clock.ended_at = at
    clock.end_reason = reason[:64]
    clock.next_step_index = None
    clock.next_step_at = None


def close_clock(session: Session, handoff: Handoff, *, at: datetime, reason: str) -> SlaClock | None:
    """Stop the open clock without a touch (converted, rejected, merged); no further steps run."""
    clock = repository.open_clock(session, int(handoff.id))  # type: ignore[arg-type]
    if clock is None:
        return None
    close_clock_row(clock, at=at, reason=reason)
    session.add(clock)
    return clock


def add_out_of_office(
    session: Session,
    *,
    user_id: str,
    starts_at: datetime,
    ends_at: datetime,
    created_by: str,
    now: datetime,
    reason: str | None = None,
) -> SlaOutOfOffice:
    """Record an absence entered in Handoff (the dashboard or the API); refuses a period that is not one."""
    if starts_at.tzinfo is None or ends_at.tzinfo is None:
        raise ValueError("out-of-office times need a time zone")
    if ends_at <= starts_at:
        raise ValueError("an out-of-office period must end after it starts")
    if not (user_id.startswith("005") and len(user_id) in (15, 18)):
        raise ValueError(f"{user_id!r} is not a Salesforce user id")
    period = SlaOutOfOffice(
        user_id=user_id,
        starts_at=starts_at,
        ends_at=ends_at,
        reason=reason,
        created_by=created_by,
        created_at=now,
    )
    session.add(period)
    return period


@dataclass
class TouchReport:
    touched: int = 0
    counts: dict[str, int] = field(default_factory=dict)


def record_touches(
    session: Session, ctx: SlaContext, records: Sequence[Mapping[str, Any]], *, now: datetime
) -> TouchReport:
    """Stop the clocks that these Salesforce Tasks/Events touch (called by the activity poller or an
    Outbound Message on Task); every other record is ignored with a reason, notable ones logged."""
    who_ids = sorted({str(r["WhoId"]) for r in records if r.get("WhoId")})
    pairs = repository.open_clocks_for_who(session, who_ids) if who_ids else []
    clocks_by_who: dict[str, list[OpenClock]] = {}
    by_id: dict[int, tuple[SlaClock, Handoff]] = {}
    for clock, handoff in pairs:
        entry = OpenClock(int(clock.id), clock.owner_id, clock.started_at, _team_of(ctx, clock.owner_id))  # type: ignore[arg-type]
        by_id[entry.clock_id] = (clock, handoff)
        for who in (handoff.sfdc_lead_id, handoff.sfdc_contact_id):
            if who:
                clocks_by_who.setdefault(who, []).append(entry)
    task_ids = [str(r["Id"]) for r in records if r.get("Id") and r.get("WhoId") in clocks_by_who]
    ours = repository.handoff_task_ids(session, task_ids) if task_ids else set()
    result = match_touches(
        records, clocks_by_who, ctx.rules.touch, lambda user: ctx.directory.person(user) is not None, ours
    )
    for ignored in result.ignored:
        log.info(
            "activity ignored for first touch",
            extra={"activity_id": ignored.activity_id, "reason": ignored.reason, "detail": ignored.detail},
        )
    for clock_id, touch in result.touches.items():
        clock, handoff = by_id[clock_id]
        _apply_touch(session, ctx, clock, handoff, touch, now=now)
    return TouchReport(touched=len(result.touches), counts=dict(result.counts))


def _team_of(ctx: SlaContext, owner_id: str) -> frozenset[str]:
    if ctx.rules.touch.accept_from != "owner_or_team":
        return frozenset()
    person = ctx.directory.person(owner_id)
    # A queue owner (00G…) is not a person: its members are the team (Directory.team_members).
    teams = person.teams if person is not None else (owner_id,)
    return frozenset(member.id for team in teams for member in ctx.directory.team_members(team))


def _apply_touch(
    session: Session, ctx: SlaContext, clock: SlaClock, handoff: Handoff, touch: Touch, *, now: datetime
) -> None:
    activity = touch.activity
    at = activity.created_at
    wall, business = WallTime(), business_measure(ctx, clock)
    clock.status = "touched"
    clock.touched_at = at
    clock.touch_activity_id = activity.id[:18]
    clock.touch_actor_id = (activity.actor_id or "")[:18] or None
    clock.touch_wall_seconds = wall.elapsed(clock.started_at, at)
    clock.touch_business_seconds = business.elapsed(clock.started_at, at)
    if clock.route_ready_at is not None:
        clock.ready_wall_seconds = wall.elapsed(clock.route_ready_at, at)
        clock.ready_business_seconds = business.elapsed(clock.route_ready_at, at)
    clock.next_step_at = None
    clock.ended_at = at
    clock.end_reason = "touched"
    session.add(clock)
    in_time = at <= clock.due_at
    earlier_breach = clock.sequence > 1 and any(
        c.breached
        for c in repository.clocks_of(session, int(handoff.id))  # type: ignore[arg-type]
        if c.id != clock.id
    )
    routed_at = handoff.routed_at or clock.started_at
    if handoff.first_touch_at is None:
        handoff.first_touch_at = at
        handoff.touch_wall_seconds = wall.elapsed(routed_at, at)
        handoff.touch_business_seconds = business.elapsed(routed_at, at)
    handoff.breached = earlier_breach or not in_time
    set_state(handoff, "touched", now, only_from=UNTOUCHED_STATES)
    repository.add_event(
        session,
        handoff,
        kind="touched",
        at=at,
        reason_code="first_touch" if in_time else "first_touch_late",
        message=(
            f"First touch by {activity.actor_id} ({activity.kind} {activity.subtype or activity.type or ''}) "
            f"after {clock.touch_business_seconds:.0f} business s / {clock.touch_wall_seconds:.0f} s, "
            + ("within target" if in_time else "after the due time")
        ),
        data={
            "clock_id": clock.id,
            "activity_id": activity.id,
            "activity_kind": activity.kind,
            "subtype": activity.subtype,
            "type": activity.type,
            "owner_id": clock.owner_id,
            "wall_seconds": clock.touch_wall_seconds,
            "business_seconds": clock.touch_business_seconds,
            "ready_wall_seconds": clock.ready_wall_seconds,
            "ready_business_seconds": clock.ready_business_seconds,
            "due_at": clock.due_at.isoformat(),
            "within_target": in_time,
        },
        actor=activity.actor_id or "salesforce",
        config_version_id=ctx.config_version_id,
    )
