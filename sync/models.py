"""Durable sync records: inbox items, outbox messages, dead letters and cursors (DESIGN.md "Durability").

The inbox is written before an inbound message is acknowledged; the outbox holds every outbound write
with an idempotency key; a cursor moves in the same transaction as the inbox rows it produced.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import Column, Index, UniqueConstraint
from sqlmodel import Field, SQLModel

from handoff.types import JsonDocument, UtcDateTime


class InboxItem(SQLModel, table=True):
    """One inbound message, unique by its natural key (notification id, marketoGUID, Task id …)."""

    __tablename__ = "inbox_item"
    __table_args__ = (
        UniqueConstraint("source", "natural_key", name="uq_inbox_source_key"),
        Index("ix_inbox_claim", "status", "next_attempt_at"),
    )

    id: int | None = Field(default=None, primary_key=True)
    source: str = Field(max_length=64, description="e.g. salesforce.outbound_message, marketo.activity")
    kind: str = Field(max_length=64, description="what the item is: lead_converted, mql_hint, email_open …")
    natural_key: str = Field(max_length=255)
    payload: dict[str, Any] = Field(default_factory=dict, sa_column=Column(JsonDocument, nullable=False))
    status: str = Field(default="pending", max_length=16, description="pending | done | failed | dead")
    attempts: int = 0
    received_at: datetime = Field(sa_type=UtcDateTime)
    next_attempt_at: datetime = Field(sa_type=UtcDateTime)
    lease_until: datetime | None = Field(default=None, sa_type=UtcDateTime)
    claimed_by: str | None = Field(default=None, max_length=64)
    processed_at: datetime | None = Field(default=None, sa_type=UtcDateTime)
    last_error: str | None = None


class OutboxMessage(SQLModel, table=True):
    """One outbound write, retried by error class until sent or dead-lettered."""

    __tablename__ = "outbox_message"
    __table_args__ = (Index("ix_outbox_claim", "status", "next_attempt_at", "priority"),)

    id: int | None = Field(default=None, primary_key=True)
    target: str = Field(max_length=32, description="salesforce | marketo | slack | email …")
    operation: str = Field(max_length=64)
    idempotency_key: str = Field(max_length=255, unique=True)
    payload: dict[str, Any] = Field(default_factory=dict, sa_column=Column(JsonDocument, nullable=False))
    priority: int = Field(default=50, description="lower runs first: routing 10, sync 50, backfill 90")
    status: str = Field(default="pending", max_length=16, description="pending | sent | dead")
    attempts: int = 0
    created_at: datetime = Field(sa_type=UtcDateTime)
    next_attempt_at: datetime = Field(sa_type=UtcDateTime)
    lease_until: datetime | None = Field(default=None, sa_type=UtcDateTime)
    claimed_by: str | None = Field(default=None, max_length=64)
    sent_at: datetime | None = Field(default=None, sa_type=UtcDateTime)
    last_error: str | None = None
    result: dict[str, Any] | None = Field(default=None, sa_column=Column(JsonDocument, nullable=True))
    handoff_id: int | None = Field(default=None, index=True)


class DeadLetter(SQLModel, table=True):
    """A message that cannot succeed without a human: full request, error and attempts, replayable."""

    __tablename__ = "dead_letter"

    id: int | None = Field(default=None, primary_key=True)
    origin: str = Field(max_length=16, description="outbox | inbox")
    origin_id: int = Field(index=True)
    operation: str = Field(max_length=64)
    idempotency_key: str | None = Field(default=None, max_length=255)
    payload: dict[str, Any] = Field(default_factory=dict, sa_column=Column(JsonDocument, nullable=False))
    error_class: str = Field(max_length=32, description="permanent | auth | quota | retryable (exhausted)")
    error: str
    attempts: int = 0
    status: str = Field(default="open", max_length=16, description="open | replayed | discarded")
    created_at: datetime = Field(sa_type=UtcDateTime)
    resolved_at: datetime | None = Field(default=None, sa_type=UtcDateTime)
    resolved_by: str | None = Field(default=None, max_length=255)


class Cursor(SQLModel, table=True):
    """A poller's position: a Marketo paging token or a Salesforce SystemModstamp high-water mark."""

    __tablename__ = "sync_cursor"

    name: str = Field(primary_key=True, max_length=128)
    value: str
    updated_at: datetime = Field(sa_type=UtcDateTime)
