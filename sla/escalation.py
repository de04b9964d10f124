"""Run the ladder steps that are due on one clock: remind, breach, reassign, recycle, notify.

Each step runs once per clock (``SlaStepRun`` is unique on ``(clock_id, step_index)``); a step that finds
its run already recorded only moves the clock on. Steps stop the moment the clock stops (a touch, a
reassignment, a recycle), because only open clocks are ever due. Outbound writes (messages, the
Salesforce reassignment, the Marketo recycle) go through the outbox; ``sla.delivery`` completes the step
when the outbox has sent them.
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from datetime import datetime
from typing import Any

from sqlalchemy import update
from sqlmodel import Session

from routing.models import Handoff
from sla import repository
from sla.clock import Measure
from sla.ladder import away_period, choose_owner, following_step, reassign_now
from sla.models import SlaClock, SlaStepRun
from sla.notify.notice import PersonRef
from sla.notify.outgoing import build_notice, queue_notice
from sla.policy import AwayPeriod, Policy, Route, Step
from sla.service import ACTIVE_STATES, SlaContext, close_clock_row, set_state
from sync.outbox import PRIORITY_ROUTING, PRIORITY_SYNC, enqueue

log = logging.getLogger(__name__)

REASSIGN_OPERATION = "sla.salesforce.lead.reassign"
RECYCLE_OPERATION = "sla.marketo.recycle"


def run_due_steps(
    session: Session,
    ctx: SlaContext,
    clock: SlaClock,
    handoff: Handoff,
    *,
    now: datetime,
    away: Sequence[AwayPeriod],
) -> int:
    """Run every step of ``clock`` due at ``now``, in order; returns how many ran (skips included)."""
    policy = ctx.rules.policies.get(clock.policy)
    if policy is None:
        log.warning("clock's policy is no longer configured; its ladder stops", extra={"clock_id": clock.id})
        clock.next_step_at = None
        session.add(clock)
        return 0
    if handoff.state not in ACTIVE_STATES:
        # Converted, rejected or recycled elsewhere without anybody closing the clock: nothing left to chase.
        close_clock_row(clock, at=now, reason=f"handoff_{handoff.state}")
        session.add(clock)
        return 0
    measure = policy.measure(clock.time_zone)
    ran = 0
    while (
        clock.status == "open"
        and clock.next_step_index is not None
        and clock.next_step_at is not None
        and clock.next_step_at <= now
    ):
        index = clock.next_step_index
        if index >= len(policy.steps):
            clock.next_step_index = clock.next_step_at = None
            break
        step = policy.steps[index]
        scheduled = policy.fire_at(step, measure, clock.started_at)
        owner_away = away_period(clock.owner_id, now, away) is not None
        jump = reassign_now(policy, clock.reassignments) if owner_away else None
        run_id = repository.insert_step_run(
            session,
            {
                "clock_id": clock.id,
                "handoff_id": handoff.id,
                "step_index": index,
                "action": step.action,
                "scheduled_at": scheduled,
                "executed_at": now,
                "status": "done",
                "reason": None,
                "outbox_message_id": None,
                "completed_at": None,
                "data": {"label": step.label},
            },
        )
        skip_to_now = False
        if run_id is None:
            log.info("step already ran", extra={"clock_id": clock.id, "step_index": index})
        elif jump is not None and index < jump.index and not (step.action == "breach" and scheduled <= now):
            _finish_run(session, run_id, status="skipped", reason="owner_out_of_office", now=now)
            skip_to_now = True
        else:
            status, reason, extra = _execute(
                session, ctx, policy, measure, clock, handoff, step, run_id, now, away
            )
            _finish_run(session, run_id, status=status, reason=reason, now=now, **extra)
            skip_to_now = jump is not None and index < jump.index
        ran += 1
        if clock.status != "open":
            clock.next_step_index = clock.next_step_at = None
            break
        upcoming = following_step(policy, measure, clock.started_at, index)
        clock.next_step_index = upcoming[0] if upcoming else None
        clock.next_step_at = (min(upcoming[1], now) if skip_to_now else upcoming[1]) if upcoming else None
    session.add(clock)
    return ran


def _finish_run(
    session: Session,
    run_id: int,
    *,
    status: str,
    reason: str | None,
    now: datetime,
    outbox_message_id: int | None = None,
    data: dict[str, Any] | None = None,
) -> None:
    """Fill in the run claimed by ``insert_step_run`` (one UPDATE, no read back)."""
    values: dict[str, Any] = {
        "status": status,
        "reason": reason,
        "outbox_message_id": outbox_message_id,
        "completed_at": None if status == "waiting" else now,
    }
    if data:
        values["data"] = data
    statement = update(SlaStepRun).where(SlaStepRun.id == run_id).values(**values)  # type: ignore[arg-type]
    # No session synchronisation: the run is not loaded, and evaluating the whole identity map per update
    # would make a tick quadratic in its batch size.
    session.execute(statement.execution_options(synchronize_session=False))


def _execute(
    session: Session,
    ctx: SlaContext,
    policy: Policy,
    measure: Measure,
    clock: SlaClock,
    handoff: Handoff,
    step: Step,
    run_id: int,
    now: datetime,
    away: Sequence[AwayPeriod],
) -> tuple[str, str | None, dict[str, Any]]:
    """Do one step; returns the run's status, reason and extra fields."""
    extra: dict[str, Any] = {}
    if step.action == "breach":
        _record_breach(session, ctx, clock, handoff, now)
    elif step.action == "reassign":
        outcome = _request_reassignment(session, ctx, policy, clock, handoff, step, now, away)
        if isinstance(outcome, str):
            return "skipped", outcome, extra
        extra["outbox_message_id"] = outcome
    elif step.action == "recycle":
        extra["outbox_message_id"] = _recycle(session, ctx, clock, handoff, step, now)
    statuses = notify_routes(
        session,
        ctx,
        step.notify,
        kind=step.action,
        clock=clock,
        handoff=handoff,
        measure=measure,
        step_index=step.index,
        step_run_id=run_id,
        now=now,
        away=away,
    )
    extra["data"] = {"label": step.label, "notifications": statuses}
    waiting = "outbox_message_id" in extra or any(s in ("queued", "held") for s in statuses.values())
    if step.action in ("remind", "notify") and not waiting:
        return "skipped", "rate_limited" if "suppressed" in statuses.values() else "nobody_reachable", extra
    return ("waiting" if waiting else "done"), None, extra


def notify_routes(
    session: Session,
    ctx: SlaContext,
    routes: Sequence[Route],
    *,
    kind: str,
    clock: SlaClock,
    handoff: Handoff,
    measure: Measure,
    step_index: int,
    step_run_id: int | None,
    now: datetime,
    away: Sequence[AwayPeriod],
    people: dict[str, str | None] | None = None,
    reason: str | None = None,
) -> dict[str, str]:
    """Queue the step's messages; ``people`` maps roles (previous_owner, new_owner) to user ids."""
    owner = ctx.directory.person(clock.owner_id)
    roles: dict[str, str | None] = {
        "owner": clock.owner_id,
        "manager": owner.manager_id if owner else None,
        **(people or {}),
    }
    refs = {role: PersonRef.of(ctx.directory.person(uid), uid) for role, uid in roles.items() if uid}
    statuses: dict[str, str] = {}
    for route in routes:
        recipient_id = roles.get(route.to)
        if not recipient_id:
            statuses[f"{route.to}"] = "no_recipient"
            continue
        notice_kind = {"previous_owner": "reassigned_from", "new_owner": "reassigned_to"}.get(route.to, kind)
        notice = build_notice(
            kind=notice_kind,
            rules=ctx.rules,
            handoff=handoff,
            clock=clock,
            measure=measure,
            now=now,
            owner=refs.get("owner") or PersonRef(clock.owner_id, clock.owner_id),
            recipient=refs[route.to],
            recipient_role=route.to,
            previous_owner=refs.get("previous_owner"),
            new_owner=refs.get("new_owner"),
            reason=reason,
        )
        skip = "out_of_office" if away_period(recipient_id, now, away) else None
        for channel_name in route.via:
            channel = ctx.channels.get(channel_name)
            if channel is None:
                log.warning("notification channel is not built", extra={"channel": channel_name})
                statuses[f"{route.to}:{channel_name}"] = "no_channel"
                continue
            statuses[f"{route.to}:{channel_name}"] = queue_notice(
                session,
                channel,
                notice,
                clock_id=int(clock.id),
                step_index=step_index,  # type: ignore[arg-type]
                step_run_id=step_run_id,
                now=now,
                skip_reason=skip,
            )
    return statuses


def _record_breach(
    session: Session, ctx: SlaContext, clock: SlaClock, handoff: Handoff, now: datetime
) -> None:
    clock.breached = True
    clock.breached_at = clock.due_at
    handoff.breached = True
    set_state(handoff, "breached", now, only_from=frozenset({"routed", "reassigned"}))
    repository.add_event(
        session,
        handoff,
        kind="breached",
        at=clock.due_at,
        reason_code="first_touch_overdue",
        message=f"No first touch by {clock.owner_id} before the due time (policy {clock.policy})",
        data={"clock_id": clock.id, "owner_id": clock.owner_id, "due_at": clock.due_at.isoformat()},
        config_version_id=ctx.config_version_id,
    )


def _request_reassignment(
    session: Session,
    ctx: SlaContext,
    policy: Policy,
    clock: SlaClock,
    handoff: Handoff,
    step: Step,
    now: datetime,
    away: Sequence[AwayPeriod],
) -> int | str:
    """Enqueue the Salesforce reassignment; returns the outbox id, or the reason it was skipped."""
    if clock.reassignments >= policy.max_reassignments:
        return "max_reassignments"
    if not handoff.sfdc_lead_id:
        return "no_salesforce_lead"
    assert step.reassign is not None
    team_name = step.reassign.target if step.reassign.strategy == "next_in_team" else None
    choice = choose_owner(
        step.reassign,
        current_owner_id=clock.owner_id,
        past_owner_ids=repository.past_owner_ids(session, int(handoff.id)),  # type: ignore[arg-type]
        team=ctx.directory.team_members(team_name) if team_name else (),
        at=now,
        away=away,
    )
    if choice is None:
        return "no_candidate"
    owner_away = away_period(clock.owner_id, now, away) is not None
    reason = "owner_out_of_office" if owner_away and now < clock.due_at else (step.reason or "sla_breach")
    message_id, _ = enqueue(
        session,
        target="salesforce",
        operation=REASSIGN_OPERATION,
        idempotency_key=f"sla:{clock.id}:{step.index}:reassign",
        payload={
            "clock_id": clock.id,
            "handoff_id": handoff.id,
            "lead_id": handoff.sfdc_lead_id,
            "owner_id": choice.owner_id,
            "use_rule": choice.use_rule,
            "fallback_id": choice.fallback_id,
            "previous_owner_id": clock.owner_id,
            "strategy": choice.reason,
            "reason": reason,
        },
        now=now,
        priority=PRIORITY_ROUTING,
        handoff_id=handoff.id,
    )
    set_state(handoff, "escalated", now, only_from=frozenset({"routed", "breached", "reassigned"}))
    target = "the assignment rule" if choice.use_rule else choice.owner_id
    repository.add_event(
        session,
        handoff,
        kind="escalated",
        at=now,
        reason_code=reason,
        message=f"Reassignment requested from {clock.owner_id} to {target} ({choice.reason})",
        data={
            "clock_id": clock.id,
            "step_index": step.index,
            "strategy": choice.reason,
            "owner_id": choice.owner_id,
        },
        config_version_id=ctx.config_version_id,
    )
    return message_id


def _recycle(
    session: Session, ctx: SlaContext, clock: SlaClock, handoff: Handoff, step: Step, now: datetime
) -> int:
    reason = step.reason or "sla_no_first_touch"
    clock.status = "recycled"
    clock.ended_at = now
    clock.end_reason = reason
    handoff.closed_at = now
    set_state(handoff, "recycled", now)
    message_id, _ = enqueue(
        session,
        target="marketo",
        operation=RECYCLE_OPERATION,
        idempotency_key=f"sla:{clock.id}:{step.index}:recycle",
        payload={
            "handoff_id": handoff.id,
            "marketo_id": handoff.marketo_id,
            "email": handoff.email,
            "sfdc_lead_id": handoff.sfdc_lead_id,
            "reason": reason,
            "program_id": step.nurture_program_id,
        },
        now=now,
        priority=PRIORITY_SYNC,
        handoff_id=handoff.id,
    )
    repository.add_event(
        session,
        handoff,
        kind="recycled",
        at=now,
        reason_code=reason,
        message=f"Never touched: recycled to nurture ({reason}); counted as leakage",
        data={
            "clock_id": clock.id,
            "owner_id": clock.owner_id,
            "program_id": step.nurture_program_id,
            "leakage": True,
        },
        config_version_id=ctx.config_version_id,
    )
    return message_id
