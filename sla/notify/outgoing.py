"""Queue notifications: build the notice, apply the per-recipient rate limit, hold for a digest, enqueue.

Every notification is a row (``SlaNotification``) and, when it is to be sent now, an outbox message with
the same idempotency key: a step that runs twice (it cannot, but a crash between flush and commit replays
the transaction) never sends twice, and a channel that is down leaves the message waiting in the outbox.
"""

from __future__ import annotations

import logging
from collections.abc import Mapping
from datetime import datetime
from typing import Any

from sqlmodel import Session

from routing.models import Handoff
from sla import repository
from sla.clock import Measure
from sla.durations import parse_duration
from sla.models import SlaClock
from sla.notify.base import Channel
from sla.notify.notice import Notice, PersonRef, lead_page_link, record_link
from sla.policy import SlaRules
from sync.outbox import PRIORITY_NOTIFY, enqueue

log = logging.getLogger(__name__)


def seconds_left(measure: Measure, now: datetime, due_at: datetime) -> float:
    if now <= due_at:
        return measure.elapsed(now, due_at)
    return -measure.elapsed(due_at, now)


def build_notice(
    *,
    kind: str,
    rules: SlaRules,
    handoff: Handoff,
    clock: SlaClock,
    measure: Measure,
    now: datetime,
    owner: PersonRef,
    recipient: PersonRef,
    recipient_role: str,
    previous_owner: PersonRef | None = None,
    new_owner: PersonRef | None = None,
    reason: str | None = None,
) -> Notice:
    record_type, record_id = (
        ("Contact", handoff.sfdc_contact_id) if handoff.sfdc_contact_id else ("Lead", handoff.sfdc_lead_id)
    )
    salesforce_url = str(rules.links.salesforce_url) if rules.links.salesforce_url else None
    return Notice(
        kind=kind,
        handoff_id=int(handoff.id),  # type: ignore[arg-type]
        lead_label=handoff.email or f"handoff {handoff.id}",
        company=handoff.company,
        segment=handoff.segment,
        policy=clock.policy,
        record_type=record_type if record_id else None,
        record_id=record_id,
        owner=owner,
        recipient=recipient,
        recipient_role=recipient_role,
        due_at=clock.due_at,
        decided_at=now,
        seconds_left=seconds_left(measure, now, clock.due_at),
        measure=clock.mode,
        time_zone=clock.time_zone,
        salesforce_url=record_link(salesforce_url, record_type, record_id),
        lead_page_url=lead_page_link(rules.links.lead_page, int(handoff.id)),  # type: ignore[arg-type]
        previous_owner=previous_owner,
        new_owner=new_owner,
        reason=reason,
    )


def queue_notice(
    session: Session,
    channel: Channel,
    notice: Notice,
    *,
    clock_id: int,
    step_index: int,
    step_run_id: int | None,
    now: datetime,
    skip_reason: str | None = None,
) -> str:
    """Record one notification and enqueue it unless skipped, rate-limited or held; returns its status."""
    recipient = notice.recipient
    key = f"sla:{clock_id}:{step_index}:{notice.kind}:{channel.name}:{recipient.id}"
    values: dict[str, Any] = {
        "handoff_id": notice.handoff_id,
        "clock_id": clock_id,
        "step_run_id": step_run_id,
        "kind": notice.kind,
        "channel": channel.name,
        "channel_type": channel.kind,
        "recipient_role": notice.recipient_role,
        "recipient_id": recipient.id,
        "idempotency_key": key,
        "created_at": now,
        "notice": notice.to_json(),
        "status": "queued",
        "reason": None,
        "outbox_message_id": None,
        "hold_until": None,
    }
    if skip_reason is None and channel.address(recipient, notice) is None:
        skip_reason = "unreachable"
    if skip_reason is not None:
        values.update(status="skipped", reason=skip_reason)
    elif channel.rate_limit is not None:
        window = parse_duration(channel.rate_limit.per).total_seconds(86_400.0)
        since = now.timestamp() - window
        since_at = datetime.fromtimestamp(since, now.tzinfo)
        if repository.messages_since(session, channel.name, recipient.id, since_at) >= channel.rate_limit.max:
            if channel.digest:
                oldest = repository.oldest_message_since(session, channel.name, recipient.id, since_at)
                hold_until = datetime.fromtimestamp((oldest or now).timestamp() + window, now.tzinfo)
                values.update(status="held", reason="rate_limited", hold_until=hold_until)
            else:
                values.update(status="suppressed", reason="rate_limited")
    if values["status"] == "queued":
        message_id, _ = enqueue(
            session,
            target=channel.target,
            operation=channel.operation,
            idempotency_key=key,
            payload=channel.render(notice),
            now=now,
            priority=PRIORITY_NOTIFY,
            handoff_id=notice.handoff_id,
        )
        values["outbox_message_id"] = message_id
    if repository.insert_notification(session, values) is None:
        log.info("notification already recorded", extra={"idempotency_key": key})
    elif values["status"] != "queued":
        log.info(
            "notification not sent now",
            extra={"channel": channel.name, "status": values["status"], "reason": values["reason"]},
        )
    return str(values["status"])


# A reminder is only worth reading while the lead still waits; a breach or a reassignment stays news.
STALE_WHEN_STOPPED = frozenset({"remind", "notify"})


def flush_digests(session: Session, channels: Mapping[str, Channel], now: datetime) -> tuple[int, set[int]]:
    """Send one digest per (channel, recipient) whose hold has ended; drop reminders whose clock stopped
    meanwhile. Returns how many digests were enqueued and the step runs whose messages were dropped."""
    sent = 0
    dropped_runs: set[int] = set()
    for channel_name, recipient_id in repository.due_digests(session, now):
        channel = channels.get(channel_name)
        held = repository.held_for(session, channel_name, recipient_id)
        if channel is None or not held:
            continue
        open_ids = repository.open_clock_ids(session, sorted({row.clock_id for row in held}))
        live = []
        for row in held:
            if row.kind in STALE_WHEN_STOPPED and row.clock_id not in open_ids:
                row.status, row.reason, row.hold_until = "suppressed", "clock_stopped", None
                session.add(row)
                if row.step_run_id is not None:
                    dropped_runs.add(row.step_run_id)
            else:
                live.append(row)
        if not live:
            continue
        notices = [Notice.from_json(row.notice) for row in live]
        recipient = notices[-1].recipient
        key = f"sla-digest:{channel_name}:{recipient_id}:{live[0].id}"
        message_id, _ = enqueue(
            session,
            target=channel.target,
            operation=channel.operation,
            idempotency_key=key,
            payload=channel.render_digest(recipient, notices),
            now=now,
            priority=PRIORITY_NOTIFY,
            handoff_id=notices[0].handoff_id,
        )
        for row in live:
            row.status = "queued"
            row.reason = "digest"
            row.outbox_message_id = message_id
            row.hold_until = None
            session.add(row)
        sent += 1
    return sent, dropped_runs
