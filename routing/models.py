"""The handoff record, its append-only events, person snapshots and config versions.

A handoff is one qualification cycle of one person (DESIGN.md "The handoff record and its states").
Events are the truth; the columns on ``Handoff`` are a projection of them kept for fast dashboards.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import Column, Index, Text
from sqlmodel import Field, SQLModel

from handoff.types import JsonDocument, UtcDateTime

HANDOFF_STATES = (
    "mql",
    "held",
    "route_ready",
    "routed",
    "touched",
    "breached",
    "escalated",
    "reassigned",
    "converted",
    "recycled",
    "rejected",
)


class ConfigVersion(SQLModel, table=True):
    """One version of the routing + SLA criteria, with its author; exactly one is active at a time."""

    __tablename__ = "config_version"

    id: int | None = Field(default=None, primary_key=True)
    created_at: datetime = Field(sa_type=UtcDateTime)
    author: str = Field(max_length=255)
    comment: str | None = None
    document: str = Field(sa_column=Column(Text, nullable=False), description="the YAML text as submitted")
    checksum: str = Field(max_length=64, index=True)
    status: str = Field(default="proposed", max_length=16, description="proposed | active | retired")
    activated_at: datetime | None = Field(default=None, sa_type=UtcDateTime)
    parent_id: int | None = Field(default=None, foreign_key="config_version.id")


class PersonSnapshot(SQLModel, table=True):
    """The person as the gate saw them: kept so that a new config can be replayed on past handoffs."""

    __tablename__ = "person_snapshot"

    id: int | None = Field(default=None, primary_key=True)
    marketo_id: int | None = Field(default=None, index=True)
    email: str | None = Field(default=None, max_length=320, index=True)
    captured_at: datetime = Field(sa_type=UtcDateTime)
    fields: dict[str, Any] = Field(default_factory=dict, sa_column=Column(JsonDocument, nullable=False))
    context: dict[str, Any] = Field(
        default_factory=dict,
        sa_column=Column(JsonDocument, nullable=False),
        description="the Salesforce context the gate used (matches, existing records)",
    )


class Handoff(SQLModel, table=True):
    """One qualification cycle of one person, from MQL to touched / converted / leaked."""

    __tablename__ = "handoff"
    __table_args__ = (
        Index("ix_handoff_mql_at", "mql_at"),
        Index("ix_handoff_state_mql", "state", "mql_at"),
        Index("ix_handoff_segment_mql", "segment", "mql_at"),
        Index("ix_handoff_owner_mql", "owner_id", "mql_at"),
        # Added by the dashboard: the team and source filters, and the filter bar's list of values.
        Index("ix_handoff_team_mql", "team", "mql_at"),
        Index("ix_handoff_source_mql", "source", "mql_at"),
    )

    id: int | None = Field(default=None, primary_key=True)
    marketo_id: int | None = Field(default=None, index=True)
    email: str | None = Field(default=None, max_length=320, index=True)
    company: str | None = Field(default=None, max_length=255)
    state: str = Field(default="mql", max_length=16)
    segment: str | None = Field(default=None, max_length=64)
    source: str | None = Field(default=None, max_length=128)
    team: str | None = Field(default=None, max_length=128)
    sla_policy: str | None = Field(default=None, max_length=64)
    owner_id: str | None = Field(default=None, max_length=18)
    owner_name: str | None = Field(default=None, max_length=255)
    sfdc_lead_id: str | None = Field(default=None, max_length=18, index=True)
    sfdc_contact_id: str | None = Field(default=None, max_length=18, index=True)
    sfdc_account_id: str | None = Field(default=None, max_length=18)
    config_version_id: int | None = Field(default=None, foreign_key="config_version.id")
    snapshot_id: int | None = Field(default=None, foreign_key="person_snapshot.id")
    reason_code: str | None = Field(
        default=None, max_length=64, description="the latest decision's main reason"
    )
    mql_at: datetime = Field(sa_type=UtcDateTime)
    route_ready_at: datetime | None = Field(default=None, sa_type=UtcDateTime)
    routed_at: datetime | None = Field(default=None, sa_type=UtcDateTime)
    due_at: datetime | None = Field(default=None, sa_type=UtcDateTime)
    first_touch_at: datetime | None = Field(default=None, sa_type=UtcDateTime)
    touch_wall_seconds: float | None = None
    touch_business_seconds: float | None = None
    breached: bool = False
    converted_at: datetime | None = Field(default=None, sa_type=UtcDateTime)
    closed_at: datetime | None = Field(default=None, sa_type=UtcDateTime)
    updated_at: datetime = Field(sa_type=UtcDateTime)
    # Added by routing: the latest gate decision, so that dedupe, cooldown and replay need no event scan.
    email_key: str | None = Field(
        default=None, max_length=320, index=True, description="mailbox identity (routing.normalise.email_key)"
    )
    decision: str | None = Field(default=None, max_length=8, description="route | hold | reject")
    target: str | None = Field(default=None, max_length=64, description="e.g. queue:00G…, rule:active")
    decided_at: datetime | None = Field(default=None, sa_type=UtcDateTime)


class HandoffEvent(SQLModel, table=True):
    """An append-only transition or fact in one handoff's life, with the reason and the config that decided it."""

    __tablename__ = "handoff_event"
    __table_args__ = (
        Index("ix_handoff_event_handoff_at", "handoff_id", "at"),
        Index("ix_handoff_event_kind_at", "kind", "at"),
        # Added by the dashboard: escalations by step read (kind, at, reason_code) from the index alone.
        Index("ix_handoff_event_kind_at_reason", "kind", "at", "reason_code"),
    )

    id: int | None = Field(default=None, primary_key=True)
    handoff_id: int = Field(foreign_key="handoff.id")
    at: datetime = Field(sa_type=UtcDateTime)
    kind: str = Field(
        max_length=32, description="mql, held, routed, touched, breached, notified, owner_changed …"
    )
    reason_code: str | None = Field(default=None, max_length=64)
    message: str = Field(default="", description="a sentence a human understands")
    data: dict[str, Any] = Field(default_factory=dict, sa_column=Column(JsonDocument, nullable=False))
    config_version_id: int | None = Field(default=None, foreign_key="config_version.id")
    actor: str = Field(default="handoff", max_length=255)


class SalesforceRecord(SQLModel, table=True):
    """A local mirror of Salesforce Leads and Contacts for dedupe by normalised email.

    SOQL can only compare whole addresses, so finding ``ann.lee+events@gmail.com`` for ``annlee@gmail.com``
    needs our own index. Kept fresh by ``routing.mirror`` from the sync layer's record changes.
    """

    __tablename__ = "sfdc_record"

    id: str = Field(primary_key=True, max_length=18)
    sobject: str = Field(max_length=16, description="Lead | Contact")
    email: str | None = Field(default=None, max_length=320)
    email_key: str | None = Field(default=None, max_length=320, index=True)
    owner_id: str | None = Field(default=None, max_length=18)
    account_id: str | None = Field(default=None, max_length=18)
    is_converted: bool = False
    modified_at: datetime = Field(sa_type=UtcDateTime, description="Salesforce SystemModstamp")


class SalesforceAccount(SQLModel, table=True):
    """A local mirror of Salesforce Accounts for lead-to-account matching by domain and fuzzy name."""

    __tablename__ = "sfdc_account"

    id: str = Field(primary_key=True, max_length=18)
    name: str = Field(max_length=255)
    domain: str | None = Field(default=None, max_length=255, index=True)
    owner_id: str | None = Field(default=None, max_length=18)
    modified_at: datetime = Field(sa_type=UtcDateTime, description="Salesforce SystemModstamp")
