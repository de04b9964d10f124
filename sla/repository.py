"""Every query of the SLA domain (STYLE.md: queries in one place; services flush, the job boundary commits)."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from datetime import datetime
from typing import Any

from sqlalchemy import BigInteger, String, any_, bindparam, exists, func, select
from sqlalchemy.dialects.postgresql import ARRAY
from sqlmodel import Session

from routing.models import Handoff, HandoffEvent
from sla.models import SlaClock, SlaNotification, SlaOutOfOffice, SlaStepRun
from sla.policy import AwayPeriod
from sync.models import OutboxMessage
from sync.upsert import insert_if_absent

# SQLite allows 32,766 bound parameters; PostgreSQL 65,535. Chunks well below both keep plans simple.
IN_CHUNK = 2_000
FINAL_OUTBOX = ("sent", "dead")


def chunks(values: Sequence[Any], size: int = IN_CHUNK) -> Iterable[Sequence[Any]]:
    for start in range(0, len(values), size):
        yield values[start : start + size]


def one_of(session: Session, column: Any, values: Sequence[Any], item_type: Any) -> Any:
    """``column IN values``; on PostgreSQL ``column = ANY(:array)``, one bound array instead of thousands of
    parameters that the driver would otherwise parse and send one by one."""
    if session.get_bind().dialect.name == "postgresql":
        return column == any_(bindparam(None, list(values), type_=ARRAY(item_type)))
    return column.in_(values)


# --- clocks ---------------------------------------------------------------------------------------------


def open_clock(session: Session, handoff_id: int) -> SlaClock | None:
    return session.execute(
        select(SlaClock).where(SlaClock.handoff_id == handoff_id, SlaClock.status == "open")
    ).scalar_one_or_none()


def clocks_of(session: Session, handoff_id: int) -> list[SlaClock]:
    rows = session.execute(
        select(SlaClock).where(SlaClock.handoff_id == handoff_id).order_by(SlaClock.sequence)  # type: ignore[arg-type]
    )
    return list(rows.scalars())


def latest_clock(session: Session, handoff_id: int) -> SlaClock | None:
    return session.execute(
        select(SlaClock)
        .where(SlaClock.handoff_id == handoff_id)
        .order_by(SlaClock.sequence.desc())  # type: ignore[attr-defined]
        .limit(1)
    ).scalar_one_or_none()


def due_clock_ids(session: Session, now: datetime, limit: int) -> list[int]:
    """Open clocks whose next step is due, oldest first, read through ``ix_sla_clock_next_step``.

    On PostgreSQL the rows are locked with SKIP LOCKED so that two ticks on two processes never work on
    the same clock; the unique step-run key makes a step run once even without the lock (SQLite).
    """
    query = (
        select(SlaClock.id)
        .where(SlaClock.status == "open", SlaClock.next_step_at <= now)  # type: ignore[operator]
        .order_by(SlaClock.next_step_at, SlaClock.id)
        .limit(limit)
    )
    if session.get_bind().dialect.name == "postgresql":
        query = query.with_for_update(skip_locked=True)
    return [int(clock_id) for clock_id in session.execute(query).scalars()]


def open_clock_ids(session: Session, clock_ids: Sequence[int]) -> set[int]:
    found: set[int] = set()
    for chunk in chunks(list(clock_ids)):
        rows = session.execute(select(SlaClock.id, SlaClock.status).where(SlaClock.id.in_(chunk)))  # type: ignore[union-attr]
        found.update(int(clock_id) for clock_id, status in rows.all() if status == "open")
    return found


def clocks_with_handoffs(session: Session, clock_ids: Sequence[int]) -> list[tuple[SlaClock, Handoff]]:
    pairs: list[tuple[SlaClock, Handoff]] = []
    for chunk in chunks(list(clock_ids)):
        rows = session.execute(
            select(SlaClock, Handoff)
            .join(Handoff, Handoff.id == SlaClock.handoff_id)  # type: ignore[arg-type]
            .where(SlaClock.id.in_(chunk))  # type: ignore[union-attr]
            .order_by(SlaClock.next_step_at, SlaClock.id)
        )
        pairs.extend((clock, handoff) for clock, handoff in rows.all())
    return pairs


def open_clocks_for_who(session: Session, who_ids: Sequence[str]) -> list[tuple[SlaClock, Handoff]]:
    """Open clocks of handoffs whose Lead or converted Contact is one of ``who_ids``.

    Two indexed lookups find the handoffs (``sfdc_lead_id``, ``sfdc_contact_id``), then the open clocks are
    read by handoff id; one query with an OR across the join would walk every open clock instead.
    """
    handoff_ids: set[int] = set()
    for chunk in chunks(list(who_ids)):
        for column in (Handoff.sfdc_lead_id, Handoff.sfdc_contact_id):
            rows = session.execute(select(Handoff.id).where(one_of(session, column, chunk, String())))
            handoff_ids.update(int(value) for value in rows.scalars())
    found: list[tuple[SlaClock, Handoff]] = []
    for chunk in chunks(sorted(handoff_ids)):
        # Filtering on status in SQL tempts SQLite (no statistics) to walk the status index over every open
        # clock; a handoff has only a few clocks, so read them all by handoff id and keep the open one.
        rows = session.execute(
            select(SlaClock, Handoff)
            .join(Handoff, Handoff.id == SlaClock.handoff_id)  # type: ignore[arg-type]
            .where(one_of(session, SlaClock.handoff_id, chunk, BigInteger()))
        )
        found.extend((clock, handoff) for clock, handoff in rows.all() if clock.status == "open")
    return found


def past_owner_ids(session: Session, handoff_id: int) -> list[str]:
    rows = session.execute(select(SlaClock.owner_id).where(SlaClock.handoff_id == handoff_id))
    return [str(owner) for owner in rows.scalars()]


def routed_without_clock(session: Session, limit: int) -> list[Handoff]:
    """Routed handoffs with a policy and an owner but no clock yet (a sweep catches what a hook missed)."""
    query = (
        select(Handoff)
        .where(
            Handoff.state == "routed",
            Handoff.sla_policy.is_not(None),  # type: ignore[union-attr]
            Handoff.owner_id.is_not(None),  # type: ignore[union-attr]
            Handoff.routed_at.is_not(None),  # type: ignore[union-attr]
            ~exists().where(SlaClock.handoff_id == Handoff.id),
        )
        .order_by(Handoff.routed_at)
        .limit(limit)
    )
    return list(session.execute(query).scalars())


# --- absences -------------------------------------------------------------------------------------------


def away_periods(session: Session, user_ids: Iterable[str], at: datetime) -> list[AwayPeriod]:
    ids = sorted(set(user_ids))
    periods: list[AwayPeriod] = []
    for chunk in chunks(ids):
        rows = session.execute(
            select(SlaOutOfOffice).where(
                SlaOutOfOffice.user_id.in_(chunk),  # type: ignore[attr-defined]
                SlaOutOfOffice.starts_at <= at,
                SlaOutOfOffice.ends_at > at,
            )
        )
        periods.extend(
            AwayPeriod(row.user_id, row.starts_at, row.ends_at, row.reason) for row in rows.scalars()
        )
    return periods


def away_periods_at(session: Session, at: datetime) -> list[AwayPeriod]:
    """Every absence stored in Handoff that covers ``at`` (a short list: who is away right now)."""
    rows = session.execute(
        select(SlaOutOfOffice).where(SlaOutOfOffice.starts_at <= at, SlaOutOfOffice.ends_at > at)
    )
    return [AwayPeriod(row.user_id, row.starts_at, row.ends_at, row.reason) for row in rows.scalars()]


# --- step runs and notifications ------------------------------------------------------------------------


def insert_step_run(session: Session, values: dict[str, Any]) -> int | None:
    """Record a step run; None when this step already ran for this clock (exactly once)."""
    return insert_if_absent(session, SlaStepRun, values, ["clock_id", "step_index"])


def insert_notification(session: Session, values: dict[str, Any]) -> int | None:
    return insert_if_absent(session, SlaNotification, values, ["idempotency_key"])


def messages_since(session: Session, channel: str, recipient_id: str, since: datetime) -> int:
    """Messages (a digest counts once) queued or sent to one recipient on one channel since ``since``."""
    return int(
        session.execute(
            select(func.count(func.distinct(SlaNotification.outbox_message_id))).where(
                SlaNotification.channel == channel,
                SlaNotification.recipient_id == recipient_id,
                SlaNotification.created_at > since,
                SlaNotification.status.in_(("queued", "sent")),  # type: ignore[attr-defined]
                SlaNotification.outbox_message_id.is_not(None),  # type: ignore[union-attr]
            )
        ).scalar()
        or 0
    )


def oldest_message_since(
    session: Session, channel: str, recipient_id: str, since: datetime
) -> datetime | None:
    return session.execute(
        select(func.min(SlaNotification.created_at)).where(
            SlaNotification.channel == channel,
            SlaNotification.recipient_id == recipient_id,
            SlaNotification.created_at > since,
            SlaNotification.status.in_(("queued", "sent")),  # type: ignore[attr-defined]
        )
    ).scalar()


def delivered_notifications(session: Session, limit: int) -> list[tuple[SlaNotification, OutboxMessage]]:
    """Queued notifications whose outbox message has reached a final state (sent or dead)."""
    rows = session.execute(
        select(SlaNotification, OutboxMessage)
        .join(OutboxMessage, OutboxMessage.id == SlaNotification.outbox_message_id)  # type: ignore[arg-type]
        .where(SlaNotification.status == "queued", OutboxMessage.status.in_(FINAL_OUTBOX))  # type: ignore[attr-defined]
        .order_by(SlaNotification.id)
        .limit(limit)
    )
    return list(rows.all())


def runs_with_final_outbox(session: Session, limit: int) -> list[SlaStepRun]:
    """Waiting step runs (reassign, recycle) whose own outbox message has reached a final state."""
    rows = session.execute(
        select(SlaStepRun)
        .join(OutboxMessage, OutboxMessage.id == SlaStepRun.outbox_message_id)  # type: ignore[arg-type]
        .where(SlaStepRun.status == "waiting", OutboxMessage.status.in_(FINAL_OUTBOX))  # type: ignore[attr-defined]
        .order_by(SlaStepRun.id)
        .limit(limit)
    )
    return list(rows.scalars())


def step_runs_by_id(session: Session, run_ids: Sequence[int]) -> list[SlaStepRun]:
    runs: list[SlaStepRun] = []
    for chunk in chunks(list(run_ids)):
        rows = session.execute(select(SlaStepRun).where(SlaStepRun.id.in_(chunk)).order_by(SlaStepRun.id))  # type: ignore[union-attr]
        runs.extend(rows.scalars())
    return runs


def notifications_of(session: Session, step_run_id: int) -> list[SlaNotification]:
    rows = session.execute(select(SlaNotification).where(SlaNotification.step_run_id == step_run_id))
    return list(rows.scalars())


def due_digests(session: Session, now: datetime) -> list[tuple[str, str]]:
    """(channel, recipient) pairs with held notifications whose hold has ended."""
    rows = session.execute(
        select(SlaNotification.channel, SlaNotification.recipient_id)
        .where(SlaNotification.status == "held", SlaNotification.hold_until <= now)  # type: ignore[operator]
        .group_by(SlaNotification.channel, SlaNotification.recipient_id)
    )
    return [(str(channel), str(recipient)) for channel, recipient in rows.all()]


def held_for(session: Session, channel: str, recipient_id: str) -> list[SlaNotification]:
    rows = session.execute(
        select(SlaNotification)
        .where(
            SlaNotification.channel == channel,
            SlaNotification.recipient_id == recipient_id,
            SlaNotification.status == "held",
        )
        .order_by(SlaNotification.id)
    )
    return list(rows.scalars())


def handoff_task_ids(session: Session, activity_ids: Sequence[str]) -> set[str]:
    """Which of these Task ids Handoff created itself (recorded from the outbox result)."""
    found: set[str] = set()
    for chunk in chunks(list(activity_ids)):
        rows = session.execute(
            select(SlaNotification.external_id).where(
                one_of(session, SlaNotification.external_id, chunk, String())
            )
        )
        found.update(str(value) for value in rows.scalars())
    return found


def outbox_message(session: Session, message_id: int) -> OutboxMessage | None:
    return session.get(OutboxMessage, message_id)


# --- events ---------------------------------------------------------------------------------------------


def add_event(
    session: Session,
    handoff: Handoff,
    *,
    kind: str,
    at: datetime,
    message: str,
    reason_code: str | None = None,
    data: dict[str, Any] | None = None,
    actor: str = "handoff",
    config_version_id: int | None = None,
) -> HandoffEvent:
    event = HandoffEvent(
        handoff_id=handoff.id,  # type: ignore[arg-type]
        at=at,
        kind=kind,
        reason_code=reason_code,
        message=message,
        data=data or {},
        config_version_id=config_version_id,
        actor=actor,
    )
    session.add(event)
    return event


def step_runs_of(session: Session, clock_ids: Sequence[int]) -> list[SlaStepRun]:
    rows = session.execute(
        select(SlaStepRun)
        .where(SlaStepRun.clock_id.in_(list(clock_ids)))  # type: ignore[attr-defined]
        .order_by(SlaStepRun.clock_id, SlaStepRun.step_index)
    )
    return list(rows.scalars())


def open_clock_count(session: Session) -> int:
    query = select(func.count()).select_from(SlaClock).where(SlaClock.status == "open")
    return int(session.execute(query).scalar() or 0)
