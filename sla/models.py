"""SLA tables: one clock per owner of a routed handoff, each ladder step run once, every notification, absences.

Timers are rows (STYLE.md, the Polar pattern): a clock's ``next_step_at`` is indexed with its status, so a
scheduler tick asks the database for the clocks that are due instead of scanning them. Exactly-once steps
come from the unique ``(clock_id, step_index)`` of ``SlaStepRun``; exactly-once messages from the unique
idempotency key shared by ``SlaNotification`` and its outbox message.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import Column, Index, UniqueConstraint, text
from sqlmodel import Field, SQLModel

from handoff.types import JsonDocument, UtcDateTime

CLOCK_STATES = ("open", "touched", "reassigned", "recycled", "closed")


class SlaClock(SQLModel, table=True):
    """The first-touch clock of one owner of one handoff; a reassignment ends it and starts the next."""

    __tablename__ = "sla_clock"
    __table_args__ = (
        UniqueConstraint("handoff_id", "sequence", name="uq_sla_clock_handoff_sequence"),
        Index("ix_sla_clock_next_step", "status", "next_step_at"),
        Index("ix_sla_clock_due_at", "due_at"),
        Index(
            "uq_sla_clock_one_open",
            "handoff_id",
            unique=True,
            postgresql_where=text("status = 'open'"),
            sqlite_where=text("status = 'open'"),
        ),
    )

    id: int | None = Field(default=None, primary_key=True)
    handoff_id: int = Field(foreign_key="handoff.id")
    sequence: int = Field(default=1, description="1 for the first owner, 2 after the first reassignment …")
    policy: str = Field(max_length=64)
    mode: str = Field(max_length=16, description="business | wall")
    time_zone: str = Field(max_length=64, description="the zone the calendar's hours were read in")
    target_seconds: float
    owner_id: str = Field(max_length=18)
    previous_owner_id: str | None = Field(default=None, max_length=18)
    reassignments: int = Field(default=0, description="reassignments of this handoff before this clock")
    started_at: datetime = Field(sa_type=UtcDateTime)
    route_ready_at: datetime | None = Field(default=None, sa_type=UtcDateTime)
    due_at: datetime = Field(sa_type=UtcDateTime)
    status: str = Field(default="open", max_length=16)
    next_step_index: int | None = None
    next_step_at: datetime | None = Field(default=None, sa_type=UtcDateTime)
    breached: bool = False
    breached_at: datetime | None = Field(default=None, sa_type=UtcDateTime)
    touched_at: datetime | None = Field(default=None, sa_type=UtcDateTime)
    touch_activity_id: str | None = Field(default=None, max_length=18)
    touch_actor_id: str | None = Field(default=None, max_length=18)
    touch_wall_seconds: float | None = None
    touch_business_seconds: float | None = None
    ready_wall_seconds: float | None = Field(default=None, description="route-ready to touch, wall clock")
    ready_business_seconds: float | None = Field(default=None, description="route-ready to touch, business")
    ended_at: datetime | None = Field(default=None, sa_type=UtcDateTime)
    end_reason: str | None = Field(default=None, max_length=64)
    config_version_id: int | None = Field(default=None, foreign_key="config_version.id")
    created_at: datetime = Field(sa_type=UtcDateTime)


class SlaStepRun(SQLModel, table=True):
    """One execution of one ladder step for one clock (never two: the pair is unique)."""

    __tablename__ = "sla_step_run"
    __table_args__ = (
        UniqueConstraint("clock_id", "step_index", name="uq_sla_step_run_clock_step"),
        Index("ix_sla_step_run_status", "status"),
    )

    id: int | None = Field(default=None, primary_key=True)
    clock_id: int = Field(foreign_key="sla_clock.id")
    handoff_id: int = Field(foreign_key="handoff.id", index=True)
    step_index: int
    action: str = Field(max_length=16)
    scheduled_at: datetime = Field(sa_type=UtcDateTime)
    executed_at: datetime = Field(sa_type=UtcDateTime)
    status: str = Field(max_length=16, description="waiting (for the outbox) | done | skipped | failed")
    reason: str | None = Field(default=None, max_length=64)
    outbox_message_id: int | None = None
    completed_at: datetime | None = Field(default=None, sa_type=UtcDateTime)
    data: dict[str, Any] = Field(default_factory=dict, sa_column=Column(JsonDocument, nullable=False))


class SlaNotification(SQLModel, table=True):
    """One message to one recipient on one channel, from queued (or held for a digest) to sent."""

    __tablename__ = "sla_notification"
    __table_args__ = (
        Index("ix_sla_notification_recipient", "channel", "recipient_id", "created_at"),
        Index("ix_sla_notification_status", "status", "hold_until"),
    )

    id: int | None = Field(default=None, primary_key=True)
    handoff_id: int = Field(foreign_key="handoff.id", index=True)
    clock_id: int = Field(foreign_key="sla_clock.id")
    step_run_id: int | None = Field(default=None, foreign_key="sla_step_run.id", index=True)
    kind: str = Field(max_length=32, description="remind | breach | reassigned_from | reassigned_to | …")
    channel: str = Field(max_length=64, description="the channel's name in sla.channels")
    channel_type: str = Field(max_length=32, description="slack | email | salesforce_task")
    recipient_role: str = Field(max_length=32)
    recipient_id: str = Field(max_length=18)
    status: str = Field(
        max_length=16, description="queued | held (digest) | sent | dead | suppressed | skipped"
    )
    reason: str | None = Field(default=None, max_length=64)
    idempotency_key: str = Field(max_length=255, unique=True)
    outbox_message_id: int | None = Field(default=None, index=True)
    external_id: str | None = Field(default=None, max_length=18, index=True, description="e.g. the Task id")
    created_at: datetime = Field(sa_type=UtcDateTime)
    hold_until: datetime | None = Field(default=None, sa_type=UtcDateTime)
    sent_at: datetime | None = Field(default=None, sa_type=UtcDateTime)
    notice: dict[str, Any] = Field(default_factory=dict, sa_column=Column(JsonDocument, nullable=False))


class SlaOutOfOffice(SQLModel, table=True):
    """A person away (entered in Handoff); merged with ``sla.out_of_office`` from the config."""

    __tablename__ = "sla_out_of_office"

    id: int | None = Field(default=None, primary_key=True)
    user_id: str = Field(max_length=18, index=True)
    starts_at: datetime = Field(sa_type=UtcDateTime)
    ends_at: datetime = Field(sa_type=UtcDateTime)
    reason: str | None = Field(default=None, max_length=255)
    created_by: str = Field(max_length=255)
    created_at: datetime = Field(sa_type=UtcDateTime)
