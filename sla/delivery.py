"""Complete ladder steps once the outbox has done their writes: notifications sent, reassignments applied.

The issue's rule: a channel that is down does not stop the ladder — its message waits in the outbox — and
the step is recorded when it is sent. So ``notified`` (per message), ``reminded`` (per reminder step) and
``reassigned`` (when Salesforce confirms the new owner) are written here, at the time the outbox reports,
by reading outbox rows that reached a final state. Idempotent: a notification or run is only moved on once.
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime

from sqlmodel import Session

from routing.models import Handoff
from sla import repository
from sla.escalation import REASSIGN_OPERATION, notify_routes
from sla.models import SlaClock, SlaNotification, SlaStepRun
from sla.notify.outgoing import flush_digests
from sla.policy import AwayPeriod
from sla.service import SlaContext, measure_of, restart_for_new_owner
from sync.models import OutboxMessage

log = logging.getLogger(__name__)


@dataclass
class DeliveryReport:
    notified: int = 0
    failed: int = 0
    steps_completed: int = 0
    reassigned: int = 0
    digests: int = 0


def record_deliveries(
    session: Session, ctx: SlaContext, *, now: datetime, away: Sequence[AwayPeriod] = (), limit: int = 5000
) -> DeliveryReport:
    """Settle what the outbox finished since the last call; only the step runs it concerns are looked at,
    so messages stuck behind a channel that is down cost nothing per tick."""
    report = DeliveryReport()
    affected: set[int] = set()
    for notification, message in repository.delivered_notifications(session, limit):
        _settle_notification(session, ctx, notification, message, report)
        if notification.step_run_id is not None:
            affected.add(notification.step_run_id)
    session.flush()
    report.digests, dropped = flush_digests(session, ctx.channels, now)
    affected |= dropped
    session.flush()
    for run in repository.runs_with_final_outbox(session, limit):
        if run.action == "reassign":
            _apply_reassignment(session, ctx, run, now=now, away=away, report=report)
        else:
            affected.add(int(run.id))  # type: ignore[arg-type]
    session.flush()
    for run in repository.step_runs_by_id(session, sorted(affected)):
        if run.status == "waiting" and run.action != "reassign":
            _complete_run(session, ctx, run, report)
    return report


def _settle_notification(
    session: Session,
    ctx: SlaContext,
    notification: SlaNotification,
    message: OutboxMessage,
    report: DeliveryReport,
) -> None:
    if message.status == "sent":
        notification.status = "sent"
        notification.sent_at = message.sent_at
        task_id = (message.result or {}).get("id") if notification.channel_type == "salesforce_task" else None
        notification.external_id = str(task_id)[:18] if task_id else None
        report.notified += 1
        handoff = session.get(Handoff, notification.handoff_id)
        if handoff is not None:
            repository.add_event(
                session,
                handoff,
                kind="notified",
                at=message.sent_at or message.created_at,
                reason_code=notification.kind,
                message=f"{notification.kind} sent to {notification.recipient_role} {notification.recipient_id} "
                f"via {notification.channel}",
                data={
                    "notification_id": notification.id,
                    "channel": notification.channel,
                    "channel_type": notification.channel_type,
                    "recipient_id": notification.recipient_id,
                    "recipient_role": notification.recipient_role,
                    "clock_id": notification.clock_id,
                    "digest": notification.reason == "digest",
                    "external_id": notification.external_id,
                },
                config_version_id=ctx.config_version_id,
            )
    else:
        notification.status = "dead"
        notification.reason = "dead_letter"
        report.failed += 1
    session.add(notification)


def _complete_run(session: Session, ctx: SlaContext, run: SlaStepRun, report: DeliveryReport) -> None:
    notifications = repository.notifications_of(session, int(run.id))  # type: ignore[arg-type]
    if any(n.status in ("queued", "held") for n in notifications):
        return
    message = repository.outbox_message(session, run.outbox_message_id) if run.outbox_message_id else None
    if message is not None and message.status not in repository.FINAL_OUTBOX:
        return
    sent = [n for n in notifications if n.status == "sent"]
    delivered = bool(sent) or (message is not None and message.status == "sent")
    if delivered or not notifications:
        run.status = "done"
    elif all(n.status in ("suppressed", "skipped") for n in notifications):
        run.status, run.reason = "skipped", notifications[0].reason
    else:
        run.status = "failed"
    times = [n.sent_at for n in sent if n.sent_at] + (
        [message.sent_at] if message and message.sent_at else []
    )
    run.completed_at = max(times) if times else run.executed_at
    session.add(run)
    report.steps_completed += 1
    if run.action == "remind" and sent:
        handoff = session.get(Handoff, run.handoff_id)
        if handoff is not None:
            repository.add_event(
                session,
                handoff,
                kind="reminded",
                at=run.completed_at,
                reason_code="first_touch_due_soon",
                message=f"Owner reminded before the due time ({len(sent)} message(s))",
                data={
                    "clock_id": run.clock_id,
                    "step_index": run.step_index,
                    "scheduled_at": run.scheduled_at.isoformat(),
                },
                config_version_id=ctx.config_version_id,
            )


def _apply_reassignment(
    session: Session,
    ctx: SlaContext,
    run: SlaStepRun,
    *,
    now: datetime,
    away: Sequence[AwayPeriod],
    report: DeliveryReport,
) -> None:
    message = repository.outbox_message(session, run.outbox_message_id) if run.outbox_message_id else None
    if message is None or message.operation != REASSIGN_OPERATION:
        run.status, run.reason, run.completed_at = "failed", "no_outbox_message", now
        session.add(run)
        return
    if message.status not in repository.FINAL_OUTBOX:
        return
    clock = session.get(SlaClock, run.clock_id)
    handoff = session.get(Handoff, run.handoff_id)
    assert clock is not None and handoff is not None
    result = message.result or {}
    run.completed_at = message.sent_at or now
    report.steps_completed += 1
    if message.status == "dead":
        run.status, run.reason = "failed", "salesforce_write_failed"
        log.warning("reassignment failed in Salesforce; the ladder goes on", extra={"clock_id": clock.id})
    elif result.get("skipped"):
        run.status, run.reason = "skipped", str(result["skipped"])[:64]
    elif not result.get("owner_id") or result["owner_id"] == clock.owner_id:
        run.status, run.reason = "skipped", "same_owner"
    elif clock.status != "open":
        # Touched while Salesforce was being written: the move happened there, so mirror it, without a clock.
        handoff.owner_id = str(result["owner_id"])
        handoff.updated_at = now
        run.status, run.reason = "done", "clock_already_stopped"
        repository.add_event(
            session,
            handoff,
            kind="reassigned",
            at=message.sent_at or now,
            reason_code="clock_already_stopped",
            message=f"Salesforce moved the lead to {result['owner_id']} after {clock.owner_id} had touched it",
            data={
                "from_owner_id": clock.owner_id,
                "to_owner_id": result["owner_id"],
                "ended_clock_id": clock.id,
            },
            config_version_id=ctx.config_version_id,
        )
    else:
        new_owner = str(result["owner_id"])
        payload = message.payload or {}
        new_clock = restart_for_new_owner(
            session,
            ctx,
            clock,
            handoff,
            new_owner,
            at=message.sent_at or now,
            now=now,
            reason=str(payload.get("reason") or "sla_breach"),
            data={"strategy": payload.get("strategy"), "step_index": run.step_index},
        )
        run.status = "done"
        report.reassigned += 1
        policy = ctx.rules.policies.get(clock.policy)
        step = policy.steps[run.step_index] if policy and run.step_index < len(policy.steps) else None
        if step is not None and step.notify:
            statuses = notify_routes(
                session,
                ctx,
                step.notify,
                kind="reassign",
                clock=new_clock or clock,
                handoff=handoff,
                measure=measure_of(ctx, new_clock or clock),
                step_index=run.step_index,
                step_run_id=run.id,
                now=now,
                away=away,
                people={"previous_owner": clock.owner_id, "new_owner": new_owner},
                reason=payload.get("reason"),
            )
            run.data = {**run.data, "notifications": statuses}
    session.add(run)
